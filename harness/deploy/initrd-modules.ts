// The new kernel's part of the initrd, staged on the host as a folder: lib/modules/<release> with its modules, depmod's
// indexes, the load list /init picks by `uname -r`, and the simulated-SoC module. It becomes one cpio (modules-archive.ts).
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { imageModuleList } from '../images/build.ts';
import type { CpioEntry } from '../images/cpio.ts';
import { stageModules } from '../images/initramfs.ts';
import { OPTIONAL_GUEST_MODULES } from '../images/modules.ts';
import { SIM_MODULE_GUEST_PATH } from '../images/soc.ts';
import type { KernelUnderTest } from '../kernel/input.ts';

export interface StagedInitrdModules {
  /** The folder to push: holds lib/modules/<release>/…, as the initrd's root will. */
  dir: string;
  release: string;
  /** Modules /init will insmod on the new kernel, in order. */
  loadOrder: string[];
  /** The tree as cpio members (lib/modules/<release>/…, relative to dir), for the modules archive. */
  entries: CpioEntry[];
}

export interface StageInitrdModulesOptions {
  /** Folder to stage in; the tree is left there for the push and as an artifact. */
  workDir: string;
  /** In-tree modules beyond the virtio stack and the SoC module's dependencies, as for the image build. */
  extraModules?: readonly string[];
  signal?: AbortSignal;
}

/** Writes <workDir>/initrd-root-<release>/lib/modules/<release>/…, replacing what an earlier deploy left there. */
export async function stageInitrdModules(kernel: KernelUnderTest, options: StageInitrdModulesOptions): Promise<StagedInitrdModules> {
  const dir = join(options.workDir, `initrd-root-${kernel.release}`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const staged = await stageModules(
    { modulesRoot: kernel.modulesRoot, release: kernel.release },
    imageModuleList(options.extraModules, true),
    dir,
    options.signal,
    [{ path: SIM_MODULE_GUEST_PATH, source: kernel.simModulePath }],
    // A developer's small config may leave these out entirely; the base image's list is Debian's.
    OPTIONAL_GUEST_MODULES,
  );
  return { dir, release: kernel.release, loadOrder: staged.loadOrder, entries: staged.entries };
}
