// The initrd of a direct boot, assembled on the host from the same pieces a push sends: the machine's base initramfs,
// then the modules archive of the kernel under test. Linux unpacks concatenated archives in order.
import { createReadStream, createWriteStream } from 'node:fs';
import { createHash } from 'node:crypto';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { KernelUnderTest } from '../kernel/input.ts';
import { stageInitrdModules } from './initrd-modules.ts';
import { writeModulesArchive, type ModulesArchive } from './modules-archive.ts';

export interface HostInitrd {
  /** Where the assembled initrd is on the host; the machine loads it from there. */
  path: string;
  bytes: number;
  sha256: string;
  base: { path: string; bytes: number };
  modules: ModulesArchive;
  /** Modules /init loads on the kernel under test, in order. */
  loadOrder: string[];
  /** Staging the modules, writing their archive and the initrd. */
  assembleMs: number;
}

export interface HostInitrdOptions {
  /** The initramfs the machine would boot (ImageSet.initramfsPath, or the real SoC set's). */
  baseInitramfs: string;
  /** Where the staged tree, the archive and the initrd go. */
  workDir: string;
  extraModules?: readonly string[];
  signal?: AbortSignal;
}

/** Writes <workDir>/initrd-<release>.cpio.gz: the base byte for byte, then the modules archive; hashed as it is written. */
export async function assembleInitrdOnHost(kernel: KernelUnderTest, options: HostInitrdOptions): Promise<HostInitrd> {
  const started = performance.now();
  await mkdir(options.workDir, { recursive: true });
  const staged = await stageInitrdModules(kernel, { workDir: options.workDir, ...(options.extraModules ? { extraModules: options.extraModules } : {}), ...(options.signal ? { signal: options.signal } : {}) });
  const modules = await writeModulesArchive(staged, join(options.workDir, `modules-${kernel.release}.cpio.gz`));
  const path = join(options.workDir, `initrd-${kernel.release}.cpio.gz`);
  const part = `${path}.part`;
  const hash = createHash('sha256');
  let bytes = 0;
  let baseBytes = 0;
  async function* pieces(): AsyncGenerator<Buffer> {
    for (const piece of [options.baseInitramfs, modules.path]) {
      for await (const chunk of createReadStream(piece)) {
        hash.update(chunk as Buffer);
        bytes += (chunk as Buffer).length;
        yield chunk as Buffer;
      }
      if (piece === options.baseInitramfs) baseBytes = bytes;
    }
  }
  try {
    await pipeline(Readable.from(pieces()), createWriteStream(part, { mode: 0o644 }), options.signal ? { signal: options.signal } : {});
    await rename(part, path);
  } catch (error) {
    await rm(part, { force: true });
    throw error;
  }
  return {
    path,
    bytes,
    sha256: hash.digest('hex'),
    base: { path: options.baseInitramfs, bytes: baseBytes },
    modules,
    loadOrder: staged.loadOrder,
    assembleMs: performance.now() - started,
  };
}
