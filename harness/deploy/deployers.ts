// One deployer per method, configured for an image set; adding a method means adding a file and a line here.
import type { ImageSet } from '../images/image-set.ts';
import type { Deployer, DeployMethod } from './deploy.ts';
import { KexecDeployer } from './kexec.ts';
import { RebootDeployer } from './reboot.ts';

export type Deployers = Readonly<Record<DeployMethod, Deployer>>;

/** Machines of reboot runs boot through U-Boot (run-matrix starts them so); a board's bootloader is checked at deploy time. */
export function createDeployers(images: ImageSet): Deployers {
  return {
    kexec: new KexecDeployer({ baseInitramfs: images.initramfsPath }),
    reboot: new RebootDeployer({ baseInitramfs: images.initramfsPath, bootloader: 'u-boot' }),
  };
}
