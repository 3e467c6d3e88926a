// Booting through Debian's U-Boot instead of QEMU's direct kernel load: the firmware, the env flash and the boot disk on the command line.
// Measured in images/bootloader/README.md: -dtb still reaches the kernel, and the disk must be the first virtio-blk device.

/** How a machine's kernel is started: undefined is QEMU's -kernel (or Xen's guest-loader), 'u-boot' reads it from a virtio disk. */
export type Bootloader = 'u-boot';

/** Debian's u-boot-qemu build for the 64-bit virt machine; QEMU starts it at the machine's highest EL, and booti keeps it. */
export const UBOOT_FIRMWARE = '/usr/lib/u-boot/qemu_arm64/u-boot.bin';

/** The files a U-Boot boot reads, both per run: U-Boot may write its env flash, and a deploy writes the disk. */
export interface BootloaderFiles {
  /** MBR disk, partition 1 FAT labelled PILOTBOOT with boot.scr, Image, initramfs.cpio.gz, pilot.env (and xen). */
  disk: string;
  /** 64 MiB pflash image holding U-Boot's environment; without it U-Boot waits 2 s and scans every device. */
  envFlash?: string | undefined;
  /** Default: UBOOT_FIRMWARE. */
  firmware?: string | undefined;
}

/** The flags that take the place of -kernel/-initrd/-append (and of Xen's guest-loader devices). */
export function bootloaderQemuArgs(files: BootloaderFiles): string[] {
  return [
    '-bios', files.firmware ?? UBOOT_FIRMWARE,
    // Bank 0 holds the firmware; bank 1 is where qemu_arm64's U-Boot keeps its environment.
    ...(files.envFlash ? ['-drive', `if=pflash,unit=1,format=raw,file=${optionValue(files.envFlash)}`] : []),
    '-drive', `if=none,id=boot0,file=${optionValue(files.disk)},format=raw`,
    '-device', 'virtio-blk-pci,drive=boot0',
  ];
}

/** QEMU splits option values on commas; a literal comma is written twice (as qemu-command.ts does, without importing it back). */
function optionValue(value: string): string {
  return value.replaceAll(',', ',,');
}
