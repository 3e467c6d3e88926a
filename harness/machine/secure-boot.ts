// Prepares a `soc: real` boot: the generated device tree for exactly its machine line, the host channel listening,
// and the spec whose secureBoot files make qemuCommand write the secure=on line (secure-boot-args.ts).
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InfraError } from '../core/errors.ts';
import { buildRealSocDtb } from '../images/devicetree/real-soc-dtb.ts';
import { REAL_SOC_DEVICES, SECURE_BOOT_ADDRESSES } from '../images/devicetree/real-soc-layout.ts';
import type { ImageSet } from '../images/image-set.ts';
import { MACHINE_DTS, TZ_LOG } from '../model/artifact-names.ts';
import type { Profile } from '../model/profile.ts';
import type { BootKernel } from './machine.ts';
import { XEN_COMMAND_LINE, qemuCommand, type QemuBootSpec } from './qemu-command.ts';
import type { SecureBootFiles } from './secure-boot-args.ts';
import { TrustZoneHost } from './trust-zone-host.ts';

/**
 * Why a reboot deploy cannot run on a `soc: real` machine: it needs U-Boot as the machine's firmware (-bios, the flash
 * at 0x0), and that slot holds the EL3 firmware. Read off Debian's u-boot-qemu (qemu_arm64/uboot.elf): a position-
 * independent image linked at 0x0, entered at 0x0, with no arm64 Image header; it is made to be QEMU's first stage,
 * while the EL3 firmware enters only a Linux Image at 0x40200000 with the DT in x0. Chaining them was not tried.
 */
export const SECURE_BOOT_UBOOT_REFUSAL =
  "a reboot deploy needs U-Boot as the machine's firmware, and with soc: real the firmware slot (-bios, flash at 0x0) holds pilot's EL3 firmware; " +
  "Debian's u-boot-qemu is a first-stage image linked and entered at 0x0 with no arm64 Image header, and the EL3 firmware's next stage is a Linux Image at 0x40200000";

export interface RealSocBootInput {
  images: ImageSet;
  profile: Profile;
  /** The scenario's dtb-overlays for this profile, read as real-SoC variants. */
  variants: readonly string[];
  artifactsDir: string;
  /** The simulation's spec for this machine: memory, CPUs, extra kernel words and devices carry over. */
  spec: Omit<QemuBootSpec, 'sshPort'>;
  signal: AbortSignal;
  /** A kernel under test booted directly instead of the real set's 6.12 (its initrd built on the real set's initramfs). */
  kernel?: BootKernel;
}

export interface RealSocBoot {
  spec: Omit<QemuBootSpec, 'sshPort'>;
  trustZone: TrustZoneHost;
  dtbPath: string;
}

/** Builds the generated DT for exactly this machine line and opens the host channel; the caller starts QEMU with the spec. */
export async function prepareRealSocBoot(input: RealSocBootInput): Promise<RealSocBoot> {
  const real = input.images.realSoc;
  if (!real) {
    throw new InfraError('E_REAL_SOC_IMAGES', 'this run asks for soc: real, but the image set was built without the real SoC pieces', {
      hint: 'build the images with realSoc: true (pilot run does when a scenario says soc: real)',
    });
  }
  // Debian's prebuilt Xen refuses dom0's SiP calls; only the source build with the forwarding patch answers them.
  const xen = input.profile.hypervisor === 'xen' ? real.xen : undefined;
  if (input.profile.hypervisor === 'xen' && !xen) {
    throw new InfraError('E_REAL_SOC_IMAGES', `soc: real on ${input.profile.name} needs Xen built from source with the SiP-forwarding patch, and the image set has none`, {
      hint: 'build the images with realSocXen: true (pilot run does when a soc: real run is on xen-el1)',
    });
  }
  const trustZone = await TrustZoneHost.listen(join(input.artifactsDir, TZ_LOG));
  try {
    const dtb = join(input.artifactsDir, 'machine.dtb');
    const linuxImage = input.kernel?.imagePath ?? real.kernel.imagePath;
    const initramfs = input.kernel?.initramfsPath ?? real.initramfsPath;
    const files: SecureBootFiles = {
      firmware: real.el3FirmwarePath,
      // Under Xen the firmware enters Xen at EL2, and Linux is dom0's multiboot module.
      kernelImage: xen ? xen.path : linuxImage,
      dtb,
      initramfs,
      trustZoneSocket: trustZone.socketPath,
      ...(xen ? { dom0Kernel: linuxImage } : {}),
    };
    const spec: Omit<QemuBootSpec, 'sshPort'> = {
      ...input.spec,
      kernelImage: linuxImage,
      initramfs,
      devices: [...REAL_SOC_DEVICES, ...(input.spec.devices ?? []).filter((device) => !device.startsWith('edu,'))],
      secureBoot: files,
    };
    const command = qemuCommand({ ...spec, sshPort: 0 });
    await buildRealSocDtb({
      qemuArgs: command.args,
      variants: input.variants,
      chosen: {
        bootargs: command.kernelCommandLine,
        initrd: { base: SECURE_BOOT_ADDRESSES.initrd, size: (await stat(initramfs)).size },
        ...(xen ? { xen: { bootargs: XEN_COMMAND_LINE, dom0Kernel: { base: SECURE_BOOT_ADDRESSES.dom0Kernel, size: (await stat(linuxImage)).size } } } : {}),
      },
      outPath: dtb,
      sourcePath: join(input.artifactsDir, MACHINE_DTS),
      signal: input.signal,
    });
    return { spec, trustZone, dtbPath: dtb };
  } catch (error) {
    await trustZone.close();
    throw error;
  }
}
