// The initrd a pushed kernel boots with: the machine's own initramfs, then a second gzip'd cpio with the new release's
// modules, load list and simulated-SoC module. Linux unpacks concatenated archives; /init picks the list by `uname -r`.
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { imageModuleList } from '../images/build.ts';
import { writeGzippedCpio } from '../images/cpio.ts';
import { stageModules } from '../images/initramfs.ts';
import { SIM_MODULE_GUEST_PATH } from '../images/soc.ts';
import type { KernelUnderTest } from './kernel-input.ts';

export interface KexecInitrd {
  path: string;
  bytes: number;
  /** Modules /init will insmod on the new kernel, in order. */
  loadOrder: string[];
}

export interface KexecInitrdOptions {
  /** The initramfs the machine booted (ImageSet.initramfsPath): userland, /init, firmware, SSH key. */
  baseInitramfs: string;
  /** Folder to build in; the initrd is left there for the push and as an artifact. */
  workDir: string;
  /** In-tree modules beyond the virtio stack and the SoC module's dependencies, as for the image build. */
  extraModules?: readonly string[];
  signal?: AbortSignal;
}

/** Writes <workDir>/initrd-<release>.cpio.gz: the base archive followed by the kernel's module archive. */
export async function buildKexecInitrd(kernel: KernelUnderTest, options: KexecInitrdOptions): Promise<KexecInitrd> {
  const staging = join(options.workDir, `modules-${kernel.release}`);
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  const staged = await stageModules(
    { modulesRoot: kernel.modulesRoot, release: kernel.release },
    imageModuleList(options.extraModules, true),
    staging,
    options.signal,
    [{ path: SIM_MODULE_GUEST_PATH, source: kernel.simModulePath }],
  );
  const modulesArchive = join(options.workDir, `modules-${kernel.release}.cpio.gz`);
  await writeGzippedCpio(modulesArchive, staged.entries);
  await rm(staging, { recursive: true, force: true });

  const path = join(options.workDir, `initrd-${kernel.release}.cpio.gz`);
  // A few MB each: concatenated in memory.
  await writeFile(path, Buffer.concat([await readFile(options.baseInitramfs), await readFile(modulesArchive)]), { mode: 0o644 });
  return { path, bytes: (await stat(path)).size, loadOrder: staged.loadOrder };
}
