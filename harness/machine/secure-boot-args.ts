// The machine line of `soc: real`: pilot's EL3 firmware as -bios, kernel/DTB/initrd put in RAM by -device loader
// (the firmware ERETs to them), and the firmware's secure UART as a second serial wired to the host.
import { SECURE_BOOT_ADDRESSES } from '../images/devicetree/real-soc-layout.ts';

/** QEMU splits option values on commas; a literal comma is written twice. */
const escapeOptionValue = (value: string) => value.replaceAll(',', ',,');

export interface SecureBootFiles {
  firmware: string;
  kernelImage: string;
  dtb: string;
  initramfs: string;
  /** The Unix socket the host channel listens on; QEMU connects to it. */
  trustZoneSocket: string;
  /** xen-el1: kernelImage is Xen, and dom0's kernel is loaded here as a multiboot module (the DT's /chosen names it). */
  dom0Kernel?: string | undefined;
}

const hex = (n: number) => `0x${n.toString(16)}`;

/** The machine option's extra word: EL3 exists and QEMU's own PSCI is gone; the firmware answers PSCI instead. */
export const SECURE_MACHINE_OPTION = 'secure=on';

/** -bios, the three loader devices and the secure UART; everything else of the line is qemuCommand's. */
export function secureBootQemuArgs(files: SecureBootFiles): string[] {
  const loader = (file: string, addr: number) => ['-device', `loader,file=${escapeOptionValue(file)},addr=${hex(addr)},force-raw=on`];
  return [
    '-bios', files.firmware,
    ...loader(files.kernelImage, SECURE_BOOT_ADDRESSES.kernel),
    ...loader(files.dtb, SECURE_BOOT_ADDRESSES.dtb),
    ...loader(files.initramfs, SECURE_BOOT_ADDRESSES.initrd),
    ...(files.dom0Kernel ? loader(files.dom0Kernel, SECURE_BOOT_ADDRESSES.dom0Kernel) : []),
    // QEMU's second serial is the secure PL011 at 0x9040000 on virt,secure=on: the firmware's host channel.
    '-chardev', `socket,id=tz0,path=${escapeOptionValue(files.trustZoneSocket)}`,
    '-serial', 'chardev:tz0',
  ];
}
