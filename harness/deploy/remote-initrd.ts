// The initrd a pushed kernel boots with, made on the target: the base initramfs and the host's modules archive go as two
// sha256-checked files, and the target concatenates them; the result must hash to the host's sha256 of base ‖ modules.
import type { PushOptions, PushResult, PushTarget } from './push.ts';
import { pushFile } from './push.ts';
import { assembleInitrdOnTarget, type AssembledInitrd } from './initrd-assembly.ts';
import { concatenatedSha256, type ModulesArchive } from './modules-archive.ts';

/** tmpfs in the guest: the pieces live there until the initrd is written, and go with the old kernel. */
export const DEPLOY_REMOTE_DIR = '/tmp/pilot-deploy';

export interface RemoteInitrdInputs {
  /** The initramfs the machine booted (ImageSet.initramfsPath): userland, /init, firmware, SSH key. */
  baseInitramfs: string;
  /** The kernel's modules archive, written on the host (writeModulesArchive). */
  modules: ModulesArchive;
  /** Where the target writes the initrd, e.g. a staged name on the boot partition. */
  outputPath: string;
  /** Target folder for the pieces; default DEPLOY_REMOTE_DIR. */
  remoteDir?: string;
}

export interface RemoteInitrd {
  /** The base initramfs, then the modules archive. */
  pushes: PushResult[];
  initrd: AssembledInitrd;
}

/** Pushes both pieces, has the target assemble the initrd, and returns the pushes and the initrd's size and sha256 from the target. */
export async function buildInitrdOnTarget(target: PushTarget, inputs: RemoteInitrdInputs, options: PushOptions = {}): Promise<RemoteInitrd> {
  const remoteDir = (inputs.remoteDir ?? DEPLOY_REMOTE_DIR).replace(/\/+$/, '');
  const modulesPath = `${remoteDir}/modules.cpio.gz`;
  const expectedSha256 = await concatenatedSha256([inputs.baseInitramfs, inputs.modules.path]);
  // Both are gzip already: a second gzip on the way costs CPU on both ends and saves nothing.
  const base = await pushFile(target, inputs.baseInitramfs, `${remoteDir}/base-initramfs.cpio.gz`, { ...options, compress: false });
  const modules = await pushFile(target, inputs.modules.path, `${remoteDir}/modules.cpio.gz`, { ...options, compress: false, expectedSha256: inputs.modules.sha256 });
  const initrd = await assembleInitrdOnTarget(target, { basePath: base.remotePath, modulesPath: modules.remotePath, outputPath: inputs.outputPath, expectedSha256 }, options);
  return { pushes: [base, modules], initrd };
}
