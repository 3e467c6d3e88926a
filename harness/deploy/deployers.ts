// One deployer per method, configured for an image set; adding a method means adding a file and a line here.
import type { ImageSet } from '../images/image-set.ts';
import type { Profile } from '../machine/profile.ts';
import type { Deployer, DeployMethod } from './deploy.ts';
import { KexecDeployer } from './kexec.ts';

export type Deployers = Readonly<Record<DeployMethod, Deployer>>;

/** Stands in for a method this build cannot perform, so planning refuses it before any boot instead of failing mid-run. */
class UnavailableDeployer implements Deployer {
  constructor(readonly method: DeployMethod, private readonly reason: string) {}
  refusal(_profile: Profile): string {
    return this.reason;
  }
  deploy(): never {
    throw new Error(`deploy ${this.method}: ${this.reason}`);
  }
}

export function createDeployers(images: ImageSet): Deployers {
  return {
    kexec: new KexecDeployer({ baseInitramfs: images.initramfsPath }),
    reboot: new UnavailableDeployer('reboot', 'the reboot deploy is not available in this build'),
  };
}
