// One deployer per method, configured for an image set; adding a method means adding a file and a line here.
import type { ImageSet } from '../images/image-set.ts';
import type { Deployer, DeployMethod } from './deploy.ts';
import { DirectDeployer } from './direct.ts';
import { KexecDeployer } from './kexec.ts';
import { RebootDeployer, type RebootDeployerConfig } from './reboot.ts';

export type Deployers = Readonly<Record<DeployMethod, Deployer>>;

export interface DeployerOptions {
  /** The initramfs the machine booted, the base of a pushed kernel's initrd; default: the image set's. */
  baseInitramfs?: string;
  /** For a machine pilot does not start (a board): how it boots, as its file declares. Default: U-Boot, as run-matrix starts QEMU for a reboot run. */
  reboot?: Pick<RebootDeployerConfig, 'bootloader' | 'bootloaderSource'>;
  /** Why a direct boot is impossible on this machine (a board boots its own kernel); default: possible (QEMU). */
  directRefusal?: string;
}

/** Machines of reboot runs boot through U-Boot (run-matrix starts them so); a board's file says for itself. */
export function createDeployers(images: ImageSet, options: DeployerOptions = {}): Deployers {
  const baseInitramfs = options.baseInitramfs ?? images.initramfsPath;
  return {
    kexec: new KexecDeployer({ baseInitramfs }),
    reboot: new RebootDeployer({ baseInitramfs, ...(options.reboot ?? { bootloader: 'u-boot' }) }),
    direct: new DirectDeployer({ baseInitramfs, ...(options.directRefusal ? { impossible: options.directRefusal } : {}) }),
  };
}
