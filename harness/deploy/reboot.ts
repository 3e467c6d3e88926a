// Deploy by reboot, as on a board: write the pushed Image, an initrd with its modules (assembled by the target) and the
// command line onto the partition the bootloader reads (U-Boot's FAT on a virtio disk under QEMU), reboot, and prove the
// new kernel runs.
// Under Xen U-Boot starts Xen again, which loads the new dom0 kernel: the one deploy that works on xen-el1.
import { mkdir, open, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InfraError } from '../core/errors.ts';
import { BOOT_FILES, BOOT_PARTITION_LABEL, checkImageFits, pilotEnvText } from '../machine/boot-disk.ts';
import type { Bootloader } from '../machine/bootloader.ts';
import type { RunningMachine } from '../machine/machine.ts';
import type { Profile } from '../model/profile.ts';
import { shellWord } from '../host/shell-quote.ts';
import { compressedImage } from './compressed-image.ts';
import { fileSha256 } from './file-sha256.ts';
import { stageInitrdModules } from './initrd-modules.ts';
import { writeModulesArchive, type ModulesArchive } from './modules-archive.ts';
import type { KernelUnderTest } from '../kernel/input.ts';
import { commandFailure } from './restart.ts';
import { pushFile } from './push.ts';
import { buildInitrdOnTarget } from './remote-initrd.ts';
import { TemplateDeployer, type DeployContext, type DeploySteps } from './template.ts';

/** Where the guest mounts the boot partition while a deploy writes it. */
export const BOOT_MOUNT_POINT = '/mnt/pilot-boot';
// New files land beside the old ones and are renamed together, so a push cut short leaves the last good boot intact.
const STAGED_SUFFIX = '.new';

export interface RebootDeployerConfig {
  /** The initramfs the machine booted (ImageSet.initramfsPath); the target appends the new kernel's modules to it. */
  baseInitramfs: string;
  /** How the machine starts its kernel (QemuMachineConfig.bootloader): a reboot deploy needs one that reads a disk the guest writes. */
  bootloader: Bootloader | undefined;
  /** Where the bootloader is declared when pilot does not start the machine ("board file boards/x.yaml"), named in the refusal. */
  bootloaderSource?: string;
  extraModules?: readonly string[];
  /** Why machines of this kind can never reboot into a pushed kernel, whatever the profile (soc: real's firmware slot). */
  impossible?: string;
  /** The next boot's kernel (dom0's, under Xen) command line, from the running one; default: the running one unchanged. */
  commandLine?: (running: string) => string;
  /** gzip the Image on the host, so a third of it travels and is written (U-Boot or Xen inflates it). Default true. */
  compressImage?: boolean;
}

async function isGzip(path: string): Promise<boolean> {
  const file = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await file.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
  } finally {
    await file.close();
  }
}

/** The Image as it goes on the disk: the cached gzip (U-Boot and Xen inflate it), checked against its recorded hash first. */
async function prepareImage(kernel: KernelUnderTest, profile: Profile, compress: boolean, signal: AbortSignal): Promise<{ path: string; sha256: string }> {
  if (!(await isGzip(kernel.imagePath))) checkImageFits(profile, (await stat(kernel.imagePath)).size, kernel.imagePath);
  if (compress && !(await isGzip(kernel.imagePath))) return compressedImage(kernel, { signal });
  const actual = await fileSha256(kernel.imagePath);
  if (actual !== kernel.imageSha256) {
    throw new InfraError('E_PUSH_CORRUPT', `${kernel.imagePath} has sha256 ${actual}, not the ${kernel.imageSha256} it had when it was resolved`, {
      hint: 'the kernel file changed on the host since it was resolved; nothing was pushed',
    });
  }
  return { path: kernel.imagePath, sha256: actual };
}

export class RebootDeployer extends TemplateDeployer {
  readonly method = 'reboot' as const;
  protected readonly phases = { load: 'write-boot-disk', restart: 'reboot' };

  constructor(private readonly config: RebootDeployerConfig) {
    super();
  }

  refusal(profile: Profile): string | undefined {
    if (this.config.impossible) return this.config.impossible;
    if (this.config.bootloader !== 'u-boot' && this.config.bootloaderSource) {
      return `a reboot deploy on ${profile.name} needs a board that boots through U-Boot from a partition Linux can write, and ${this.config.bootloaderSource} does not declare \`bootloader: u-boot\``;
    }
    if (this.config.bootloader !== 'u-boot') {
      return `a reboot deploy on ${profile.name} needs a machine booted through U-Boot from a disk (QemuMachine bootloader: 'u-boot'): a directly loaded kernel comes back on reboot`;
    }
    return undefined;
  }

  protected override machineRefusal(machine: RunningMachine): string | undefined {
    return this.refusal(machine.profile) ?? (machine.bootloader === 'u-boot' ? undefined : `the machine (${machine.profile.name}) was not booted through U-Boot, so a reboot would not read the pushed kernel`);
  }

  protected steps({ machine, kernel, options, target, pushOptions }: DeployContext): DeploySteps {
    const { signal } = options;
    const staged = (name: string) => `${BOOT_MOUNT_POINT}/${name}${STAGED_SUFFIX}`;
    const envPath = join(options.workDir, `pilot.env-${kernel.release}`);
    let image: { path: string; sha256: string } | undefined;
    let modules: ModulesArchive | undefined;
    let previousBootId = '';
    return {
      prepare: async () => {
        await mkdir(options.workDir, { recursive: true });
        image = await prepareImage(kernel, machine.profile, this.config.compressImage ?? true, signal);
        const stagedModules = await stageInitrdModules(kernel, { workDir: options.workDir, extraModules: this.config.extraModules, signal });
        modules = await writeModulesArchive(stagedModules, join(options.workDir, `modules-${kernel.release}.cpio.gz`));
        const current = await target.exec('cat /proc/sys/kernel/random/boot_id; cat /proc/cmdline', { timeoutMs: 15_000, signal });
        const [bootId = '', runningCommandLine = ''] = current.stdout.trim().split('\n');
        if (current.code !== 0 || !bootId) throw commandFailure('E_DEPLOY_PREPARE', 'reading boot_id and /proc/cmdline', current);
        previousBootId = bootId;
        const commandLine = this.config.commandLine ? this.config.commandLine(runningCommandLine) : runningCommandLine;
        await writeFile(envPath, pilotEnvText(machine.profile, commandLine));
      },
      push: async () => {
        const mount = await target.exec(
          `mkdir -p ${BOOT_MOUNT_POINT} && { grep -q ' ${BOOT_MOUNT_POINT} ' /proc/mounts || mount -t vfat "$(findfs LABEL=${BOOT_PARTITION_LABEL})" ${BOOT_MOUNT_POINT}; }`,
          { timeoutMs: 30_000, signal },
        );
        if (mount.code !== 0) throw commandFailure('E_BOOT_DISK_MOUNT', `mounting the boot partition (LABEL=${BOOT_PARTITION_LABEL}) on ${BOOT_MOUNT_POINT}`, mount);
        try {
          // A gzip'd Image gets no second gzip on the way: it would cost CPU on both ends and save nothing.
          const pushedImage = await pushFile(target, image!.path, staged(BOOT_FILES.image), { ...pushOptions, expectedSha256: image!.sha256, compress: !(await isGzip(image!.path)) });
          // The target writes the initrd straight onto the partition, beside the old one like the other staged files.
          const remote = await buildInitrdOnTarget(target, { baseInitramfs: this.config.baseInitramfs, modules: modules!, outputPath: staged(BOOT_FILES.initramfs) }, pushOptions);
          const pushedEnv = await pushFile(target, envPath, staged(BOOT_FILES.env), pushOptions);
          return { pushes: [pushedImage, ...remote.pushes, pushedEnv], initrd: remote.initrd };
        } catch (error) {
          await target.exec(`cd /; rm -f ${BOOT_MOUNT_POINT}/*${STAGED_SUFFIX}*; umount ${BOOT_MOUNT_POINT}`, { timeoutMs: 15_000 }).catch(() => undefined);
          throw error;
        }
      },
      load: async () => {
        const renames = [BOOT_FILES.image, BOOT_FILES.initramfs, BOOT_FILES.env].map((name) => `mv -f ${shellWord(staged(name))} ${shellWord(`${BOOT_MOUNT_POINT}/${name}`)}`);
        // umount fails with EBUSY while the shell's cwd is inside the mount, hence the cd first.
        const write = await target.exec(`cd / && ${renames.join(' && ')} && sync && umount ${BOOT_MOUNT_POINT}`, { timeoutMs: 120_000, signal });
        if (write.code !== 0) throw commandFailure('E_BOOT_DISK_WRITE', `moving the pushed files into place on ${BOOT_MOUNT_POINT}`, write);
      },
      previousBootId: () => previousBootId,
      restart: { command: 'reboot -f', code: 'E_REBOOT', waitingFor: `the rebooted machine to come up on ${kernel.release}` },
    };
  }
}
