// The initrd a pushed kernel boots with, made on the target: the base initramfs goes as one sha256-checked file, the new
// release's module tree as a tar stream checked file by file, and the target concatenates them into the initrd.
import type { PushOptions, PushResult, PushTarget } from './push.ts';
import { pushFile, pushTree } from './push.ts';
import { assembleInitrdOnTarget, type AssembledInitrd } from './initrd-assembly.ts';

/** tmpfs in the guest: the pieces live there until the initrd is written, and go with the old kernel. */
export const DEPLOY_REMOTE_DIR = '/tmp/pilot-deploy';

export interface RemoteInitrdInputs {
  /** The initramfs the machine booted (ImageSet.initramfsPath): userland, /init, firmware, SSH key. */
  baseInitramfs: string;
  /** The staged module tree (StagedInitrdModules.dir), holding lib/modules/<release>. */
  modulesDir: string;
  /** Where the target writes the initrd, e.g. a staged name on the boot partition. */
  outputPath: string;
  /** Target folder for the pieces; default DEPLOY_REMOTE_DIR. */
  remoteDir?: string;
}

export interface RemoteInitrd {
  /** The base initramfs, then the module tree. */
  pushes: PushResult[];
  initrd: AssembledInitrd;
}

/** Pushes both pieces, has the target assemble them, and returns the pushes and the initrd's size and sha256 from the target. */
export async function buildInitrdOnTarget(target: PushTarget, inputs: RemoteInitrdInputs, options: PushOptions = {}): Promise<RemoteInitrd> {
  const remoteDir = (inputs.remoteDir ?? DEPLOY_REMOTE_DIR).replace(/\/+$/, '');
  const basePath = `${remoteDir}/base-initramfs.cpio.gz`;
  const treeDir = `${remoteDir}/initrd-root`;
  // Already gzip: a second gzip on the way costs CPU on both ends and saves nothing.
  const base = await pushFile(target, inputs.baseInitramfs, basePath, { ...options, compress: false });
  const tree = await pushTree(target, inputs.modulesDir, treeDir, options);
  const initrd = await assembleInitrdOnTarget(target, { treeDir, basePath, outputPath: inputs.outputPath }, options);
  return { pushes: [base, tree], initrd };
}
