// Builds a run's U-Boot boot disk and environment flash on the host, without root: sfdisk, mkfs.vfat --offset and mcopy
// work on plain files. The layout and the env are the ones measured in images/bootloader/README.md.
import { copyFile, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../core/errors.ts';
import { runProcess } from '../host/process.ts';
import { shellLine } from '../host/shell-quote.ts';
import type { BootloaderFiles } from './bootloader.ts';
import type { Profile } from '../model/profile.ts';
import { XEN_COMMAND_LINE } from './qemu-command.ts';

export const BOOT_SCRIPT_SOURCE = fileURLToPath(new URL('../../images/bootloader/boot.cmd', import.meta.url));
/** The FAT label the guest finds the partition by (`findfs LABEL=PILOTBOOT`). */
export const BOOT_PARTITION_LABEL = 'PILOTBOOT';
/** Names on the partition that boot.cmd reads; `xen` being there selects the Xen path. */
export const BOOT_FILES = { image: 'Image', initramfs: 'initramfs.cpio.gz', env: 'pilot.env', script: 'boot.scr', xen: 'xen' } as const;

const MIB = 1024 * 1024;
const PARTITION_START_MIB = 1;
const PARTITION_MIB = 128;
const ENV_FLASH_BYTES = 64 * MIB;
/** CONFIG_ENV_SIZE of Debian's qemu_arm64 U-Boot. */
const ENV_SIZE = '0x40000';
// Load addresses fixed by boot.cmd: a Linux Image inflates below the initramfs, a dom0 Image below its initramfs.
const MAX_LINUX_IMAGE_BYTES = 0x44000000 - 0x40400000;
const MAX_DOM0_IMAGE_BYTES = 0x50000000 - 0x49000000;

/** An environment found in flash replaces U-Boot's built-in one whole, so the load addresses are listed too. */
export const UBOOT_ENVIRONMENT = [
  'bootdelay=0',
  'fdt_addr=0x40000000',
  'scriptaddr=0x40200000',
  'kernel_addr_r=0x40400000',
  'ramdisk_addr_r=0x44000000',
  'fdt_high=0xffffffff',
  'initrd_high=0xffffffff',
  'bootcmd=virtio scan; if load virtio 0:1 ${scriptaddr} boot.scr; then source ${scriptaddr}; fi; echo pilot-boot-failed',
];

/** Runs one host tool; the default is runBootTool, tests pass a fake. */
export type BootToolRunner = (file: string, args: string[], options: { input?: string; signal?: AbortSignal | undefined }) => Promise<void>;

export interface BootDiskSpec {
  /** Folder for boot-disk.img, uboot-env.flash and what they are made from. */
  dir: string;
  profile: Profile;
  kernelImage: string;
  initramfs: string;
  /** Required on xen-el1. */
  xen?: string | undefined;
  /** Linux's (or dom0's) command line, written to pilot.env. */
  kernelCommandLine: string;
  signal?: AbortSignal | undefined;
}

export interface BootDisk extends BootloaderFiles {
  envFlash: string;
  /** Names on the partition. */
  files: string[];
}

/** pilot.env: what boot.cmd imports over its defaults, so a deploy changes the command line without mkimage. */
export function pilotEnvText(profile: Profile, kernelCommandLine: string): string {
  if (/[\r\n]/.test(kernelCommandLine)) throw new InputError('E_BOOT_ENV', 'a kernel command line for pilot.env cannot hold a line break');
  return profile.hypervisor === 'xen' ? `xen_bootargs=${XEN_COMMAND_LINE}\ndom0_bootargs=${kernelCommandLine}\n` : `bootargs=${kernelCommandLine}\n`;
}

/** Refuses an uncompressed Image that would overrun what boot.cmd loads after it. */
export function checkImageFits(profile: Profile, imageBytes: number, what: string): void {
  const limit = profile.hypervisor === 'xen' ? MAX_DOM0_IMAGE_BYTES : MAX_LINUX_IMAGE_BYTES;
  if (imageBytes > limit) {
    throw new InputError('E_BOOT_IMAGE_TOO_BIG', `${what} is ${(imageBytes / MIB).toFixed(1)} MiB: boot.cmd leaves ${limit / MIB} MiB for the kernel on ${profile.name}`);
  }
}

/** Runs a disk tool on the host: E_BOOT_DISK when it fails, E_BOOT_DISK_TOOL (naming the package) when it is missing. */
export async function runBootTool(file: string, args: string[], options: { input?: string; signal?: AbortSignal | undefined }): Promise<void> {
  await runProcess(file, args, {
    what: 'building the U-Boot boot disk',
    label: shellLine([file, ...args]),
    code: 'E_BOOT_DISK',
    missingCode: 'E_BOOT_DISK_TOOL',
    input: options.input ?? '',
    signal: options.signal,
  });
}

/** Copies files onto partition 1 of an existing disk image (mtools addresses it by offset). */
export async function copyToBootPartition(disk: string, files: Array<{ source: string; name: string }>, run: BootToolRunner = runBootTool, signal?: AbortSignal): Promise<void> {
  for (const file of files) await run('mcopy', ['-o', '-i', `${disk}@@${PARTITION_START_MIB}M`, file.source, `::${file.name}`], { signal });
}

/** Writes <dir>/boot-disk.img and <dir>/uboot-env.flash for a first boot of the image's kernel (under Xen on xen-el1). */
export async function buildBootDisk(spec: BootDiskSpec, run: BootToolRunner = runBootTool): Promise<BootDisk> {
  const { dir, profile, signal } = spec;
  if (profile.hypervisor === 'xen' && !spec.xen) throw new InputError('E_BOOT_DISK', `profile ${profile.name} needs the Xen hypervisor image on the boot disk`);
  checkImageFits(profile, (await stat(spec.kernelImage)).size, spec.kernelImage);

  const script = join(dir, BOOT_FILES.script);
  await run('mkimage', ['-A', 'arm64', '-T', 'script', '-C', 'none', '-n', 'pilot', '-d', BOOT_SCRIPT_SOURCE, script], { signal });
  const env = join(dir, BOOT_FILES.env);
  await writeFile(env, pilotEnvText(profile, spec.kernelCommandLine));

  const disk = join(dir, 'boot-disk.img');
  await rm(disk, { force: true });
  // Sparse: 129 MiB on paper, a few MB on the host.
  await sparseFile(disk, (PARTITION_START_MIB + PARTITION_MIB) * MIB);
  await run('sfdisk', ['-q', disk], { input: `start=${PARTITION_START_MIB * 2048}, type=c\n`, signal });
  await run('mkfs.vfat', [`--offset=${PARTITION_START_MIB * 2048}`, '-n', BOOT_PARTITION_LABEL, disk, String(PARTITION_MIB * 1024)], { signal });
  const files = [
    { source: script, name: BOOT_FILES.script },
    { source: env, name: BOOT_FILES.env },
    { source: spec.kernelImage, name: BOOT_FILES.image },
    { source: spec.initramfs, name: BOOT_FILES.initramfs },
    ...(profile.hypervisor === 'xen' && spec.xen ? [{ source: spec.xen, name: BOOT_FILES.xen }] : []),
  ];
  await copyToBootPartition(disk, files, run, signal);

  const envFlash = await buildEnvFlash(dir, run, signal);
  return { disk, envFlash, files: files.map((file) => file.name) };
}

/** U-Boot's environment at offset 0 of a 64 MiB pflash bank; each run gets its own, since U-Boot may save to it. */
export async function buildEnvFlash(dir: string, run: BootToolRunner = runBootTool, signal?: AbortSignal): Promise<string> {
  const text = join(dir, 'uboot-env.txt');
  const image = join(dir, 'uboot-env.bin');
  await writeFile(text, `${UBOOT_ENVIRONMENT.join('\n')}\n`);
  await run('mkenvimage', ['-s', ENV_SIZE, '-o', image, text], { signal });
  const flash = join(dir, 'uboot-env.flash');
  await copyFile(image, flash);
  await sparseFile(flash, ENV_FLASH_BYTES);
  await rm(image, { force: true });
  return flash;
}

/** Extends (or creates) a file to `bytes` without writing them. */
async function sparseFile(path: string, bytes: number): Promise<void> {
  const handle = await open(path, 'a');
  try {
    await handle.truncate(bytes);
  } finally {
    await handle.close();
  }
}

/** For tests and doctor: the text of a file on the boot partition. */
export async function readBootPartitionFile(disk: string, name: string, dir: string, run: BootToolRunner = runBootTool): Promise<string> {
  const out = join(dir, `${name}.read-back`);
  await run('mcopy', ['-o', '-i', `${disk}@@${PARTITION_START_MIB}M`, `::${name}`, out], {});
  try {
    return await readFile(out, 'utf8');
  } finally {
    await rm(out, { force: true });
  }
}
