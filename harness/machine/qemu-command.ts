// Builds the QEMU command line for a profile; pure, so tests can pin every flag the design notes measured.
import { bootloaderQemuArgs, type BootloaderFiles } from './bootloader.ts';
import { SECURE_MACHINE_OPTION, secureBootQemuArgs, type SecureBootFiles } from './secure-boot-args.ts';
import type { Profile } from '../model/profile.ts';

export interface QemuBootSpec {
  profile: Profile;
  kernelImage: string;
  initramfs: string;
  /** The Xen hypervisor image; required on xen-el1. */
  xen?: string | undefined;
  /** A device tree with pilot's overlays applied; QEMU's own is used when absent. */
  dtb?: string | undefined;
  /** Host loopback port forwarded to the guest's SSH port. */
  sshPort: number;
  /** A gdbstub on this loopback port (`run --gdb`); never on another interface. */
  gdbPort?: number | undefined;
  memoryMb?: number;
  cpus?: number;
  /** Extra kernel command-line words, after pilot's own. */
  kernelArgs?: string[];
  /** Extra -device values, e.g. the simulated SoC's DMA masters. */
  devices?: string[];
  /** Let the guest reboot instead of QEMU exiting (reboot deploys need it). */
  allowReboot?: boolean;
  /** Boot through U-Boot from this disk instead of loading the kernel directly; implies allowReboot. */
  bootloader?: BootloaderFiles | undefined;
  /** soc: real — EL3 firmware as -bios, kernel/DTB/initrd by loader devices, the host channel as the second serial (secure-boot.ts). */
  secureBoot?: SecureBootFiles | undefined;
}

export interface QemuCommand {
  file: string;
  args: string[];
  /** The kernel command line Linux receives, for the artifacts and the self-check. */
  kernelCommandLine: string;
}

export const QEMU_BINARY = 'qemu-system-aarch64';

// Where guest-loader puts dom0 and its initrd. Measured: with the kernel at 0x47000000 Xen 4.17 hits "Xen BUG at page_alloc.c:1429"
// while freeing the boot module; these addresses boot, and leave 112 MiB for the kernel and 512 MiB above for the initrd.
const XEN_DOM0_KERNEL_ADDR = '0x49000000';
const XEN_DOM0_INITRD_ADDR = '0x50000000';
/** Xen's own command line; dom0 gets the kernel command line. */
export const XEN_COMMAND_LINE = 'dom0_mem=512M loglvl=warning guest_loglvl=none';

/** QEMU splits option values on commas; a literal comma is written twice. */
export function escapeOptionValue(value: string): string {
  return value.replaceAll(',', ',,');
}

function machineOption(profile: Profile, secure: boolean): string {
  const parts = ['virt', ...(secure ? [SECURE_MACHINE_OPTION] : []), `virtualization=${profile.el === 2 || profile.hypervisor === 'xen' ? 'on' : 'off'}`, 'gic-version=2'];
  // GICv2 is deliberate: GICv3+ITS hangs kexec'd kernels, and its=off makes QEMU refuse the edu devices (MSI).
  if (profile.smmu) parts.push('iommu=smmuv3');
  return parts.join(',');
}

/** QEMU's user network maps this guest address to the host's 127.0.0.1 (nothing else on the host is reachable). */
export const GUEST_HOST_ADDRESS = '10.0.2.2';

export function qemuCommand(spec: QemuBootSpec): QemuCommand {
  const { profile } = spec;
  const console = profile.hypervisor === 'xen' ? 'hvc0' : 'ttyAMA0';
  const kernelWords = [
    `console=${console}`,
    // Markers written to /dev/kmsg cut the log into steps; the default rate limit would drop them.
    'printk.devkmsg=on',
    // A panic reboots at once, and -no-reboot turns that into a QEMU exit pilot sees immediately.
    'panic=-1',
    ...(spec.kernelArgs ?? []),
  ];
  const kernelCommandLine = kernelWords.join(' ');

  const args = [
    '-nodefaults',
    '-no-user-config',
    '-machine', machineOption(profile, spec.secureBoot !== undefined),
    // The architected QARMA pointer-auth algorithm is slow under TCG; the IMPDEF one keeps PAuth and boots about 3x faster.
    // lpa2=off: with FEAT_LPA2 Debian's 6.12 uses 52-bit VAs and oopses in kexec_load (trans_pgd_create_copy), measured; 6.1 never uses it.
    '-cpu', 'max,pauth-impdef=on,lpa2=off',
    '-smp', String(spec.cpus ?? 2),
    '-m', String(spec.memoryMb ?? 1024),
    '-display', 'none',
    '-monitor', 'none',
    '-chardev', 'stdio,id=console0,signal=off',
    '-serial', 'chardev:console0',
    '-netdev', `user,id=net0,hostfwd=tcp:127.0.0.1:${spec.sshPort}-:22`,
    '-device', 'virtio-net-pci,netdev=net0,romfile=',
  ];
  if (spec.gdbPort !== undefined) args.push('-gdb', `tcp:127.0.0.1:${spec.gdbPort}`);
  if (!spec.allowReboot && !spec.bootloader) args.push('-no-reboot');
  if (spec.dtb && !spec.secureBoot) args.push('-dtb', spec.dtb);
  for (const device of spec.devices ?? []) args.push('-device', device);

  if (spec.secureBoot) {
    // The kernel command line is in the generated DT's /chosen: there is no -append without -kernel.
    args.push(...secureBootQemuArgs(spec.secureBoot));
  } else if (spec.bootloader) {
    // U-Boot reads kernel, initramfs, Xen and the command line from the disk (images/bootloader/boot.cmd).
    args.push(...bootloaderQemuArgs(spec.bootloader));
  } else if (profile.hypervisor === 'xen') {
    if (!spec.xen) throw new Error(`profile ${profile.name} needs the Xen hypervisor image`);
    args.push(
      '-kernel', spec.xen,
      '-append', XEN_COMMAND_LINE,
      '-device', `guest-loader,addr=${XEN_DOM0_KERNEL_ADDR},kernel=${escapeOptionValue(spec.kernelImage)},bootargs=${escapeOptionValue(kernelCommandLine)}`,
      '-device', `guest-loader,addr=${XEN_DOM0_INITRD_ADDR},initrd=${escapeOptionValue(spec.initramfs)}`,
    );
  } else {
    args.push('-kernel', spec.kernelImage, '-initrd', spec.initramfs, '-append', kernelCommandLine);
  }
  return { file: QEMU_BINARY, args, kernelCommandLine };
}
