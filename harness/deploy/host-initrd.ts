// The initrd of a direct boot, assembled on the host from the same pieces a push sends: the machine's base initramfs,
// then the modules archive of the kernel under test (Linux unpacks concatenated archives in order); cached, since the
// same kernel is booted run after run.
import { createReadStream, createWriteStream } from 'node:fs';
import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { cacheKey, ensureEntry, sourceHash } from '../images/cache.ts';
import { defaultCacheDir } from '../images/cache-dir.ts';
import type { KernelUnderTest } from '../kernel/input.ts';
import { stageInitrdModules } from './initrd-modules.ts';
import { writeModulesArchive, type ModulesArchive } from './modules-archive.ts';

export interface HostInitrd {
  /** Where the assembled initrd is on the host (a cache entry); the machine loads it from there. */
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
  /** The pilot cache the initrd is kept in (default: PILOT_CACHE's). */
  cacheDir?: string;
  extraModules?: readonly string[];
  signal?: AbortSignal;
}

// Everything the initrd is made of: the pieces are content-addressed cache entries (the base initramfs, the kernel's
// staged modules, its SoC module), so their paths stand for their contents.
const RECIPE = sourceHash(
  import.meta.url,
  new URL('./initrd-modules.ts', import.meta.url),
  new URL('./modules-archive.ts', import.meta.url),
  new URL('../images/initramfs.ts', import.meta.url),
  new URL('../images/cpio.ts', import.meta.url),
);
const PIECE = 'kut-initrd';

/**
 * The initrd for the kernel under test on this base, from the cache or made in it: the base byte for byte, then the
 * modules archive; hashed as it is written. assembleMs is what this call took (a cache hit: the lookup).
 */
export async function assembleInitrdOnHost(kernel: KernelUnderTest, options: HostInitrdOptions): Promise<HostInitrd> {
  const started = performance.now();
  const key = cacheKey(PIECE, {
    base: options.baseInitramfs,
    release: kernel.release,
    modulesRoot: kernel.modulesRoot,
    simModule: kernel.simModulePath,
    extraModules: options.extraModules ?? [],
    recipe: RECIPE,
  });
  const entry = await ensureEntry<Omit<HostInitrd, 'assembleMs'>>({
    cacheDir: options.cacheDir ?? defaultCacheDir(),
    piece: PIECE,
    key,
    build: (tmp, finalDir) => writeInitrd(kernel, options, tmp, finalDir),
  });
  return { ...entry.manifest, assembleMs: performance.now() - started };
}

/** Stages the modules in tmp, writes their archive and the initrd there; paths in the result are where they will live. */
async function writeInitrd(kernel: KernelUnderTest, options: HostInitrdOptions, tmp: string, finalDir: string): Promise<Omit<HostInitrd, 'assembleMs'>> {
  const staged = await stageInitrdModules(kernel, { workDir: tmp, ...(options.extraModules ? { extraModules: options.extraModules } : {}), ...(options.signal ? { signal: options.signal } : {}) });
  const archiveName = `modules-${kernel.release}.cpio.gz`;
  const modules = await writeModulesArchive(staged, join(tmp, archiveName));
  await rm(staged.dir, { recursive: true, force: true });
  const name = `initrd-${kernel.release}.cpio.gz`;
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
  await pipeline(Readable.from(pieces()), createWriteStream(join(tmp, name), { mode: 0o644 }), options.signal ? { signal: options.signal } : {});
  return {
    path: join(finalDir, name),
    bytes,
    sha256: hash.digest('hex'),
    base: { path: options.baseInitramfs, bytes: baseBytes },
    modules: { ...modules, path: join(finalDir, archiveName) },
    loadOrder: staged.loadOrder,
  };
}
