// One deployer per method, configured for an image set; adding a method means adding a file and a line here.
import { InfraError } from '../core/errors.ts';
import type { ImageSet } from '../images/image-set.ts';
import { SECURE_BOOT_UBOOT_REFUSAL } from '../machine/secure-boot.ts';
import type { SocKind } from '../model/soc-kind.ts';
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

/**
 * The deployers of QEMU machines with `soc: real`: a pushed kernel's initrd grows from the real set's initramfs and loads
 * the same Qualcomm drivers the base kernel does (direct boots build theirs on it too); a reboot is refused (the EL3
 * firmware holds U-Boot's slot).
 */
export function createRealSocDeployers(images: ImageSet): Deployers {
  const real = images.realSoc;
  if (!real) {
    throw new InfraError('E_REAL_SOC_IMAGES', 'a soc: real run pushes a kernel, but the image set was built without the real SoC pieces', {
      hint: 'build the images with realSoc: true (pilot run does when a scenario says soc: real)',
    });
  }
  const base = { baseInitramfs: real.initramfsPath, extraModules: real.driverModules };
  return {
    kexec: new KexecDeployer(base),
    reboot: new RebootDeployer({ ...base, bootloader: undefined, impossible: `cannot deploy by reboot on soc: real: ${SECURE_BOOT_UBOOT_REFUSAL}` }),
    direct: new DirectDeployer(base),
  };
}

/** QEMU's deployers for a run's SoC. */
export function qemuDeployers(images: ImageSet, soc: SocKind): Deployers {
  return soc === 'real' ? createRealSocDeployers(images) : createDeployers(images);
}
