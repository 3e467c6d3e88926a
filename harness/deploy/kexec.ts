// Deploy by kexec: push the Image and the modules archive, from which (and its retained base) the target assembles the
// initrd; load them with the running command line, jump, wait for the new boot's readiness line, and prove the kernel runs.
import { join } from 'node:path';
import type { Profile } from '../model/profile.ts';
import { shellWord } from '../host/shell-quote.ts';
import { stageInitrdModules } from './initrd-modules.ts';
import { writeModulesArchive, type ModulesArchive } from './modules-archive.ts';
import { compressedImage, type CompressedImage } from './compressed-image.ts';
import { stopRunningRemotes } from './quiesce-remotes.ts';
import { commandFailure } from './restart.ts';
import { pushFile } from './push.ts';
import { buildInitrdOnTarget, DEPLOY_REMOTE_DIR } from './remote-initrd.ts';
import { TemplateDeployer, type DeployContext, type DeploySteps } from './template.ts';

export interface KexecDeployerConfig {
  /** The initramfs the machine booted (ImageSet.initramfsPath); the target appends the new kernel's modules to it. */
  baseInitramfs: string;
  extraModules?: readonly string[];
}

export class KexecDeployer extends TemplateDeployer {
  readonly method = 'kexec' as const;
  protected readonly phases = { load: 'kexec-load', restart: 'kexec' };

  constructor(private readonly config: KexecDeployerConfig) {
    super();
  }

  refusal(profile: Profile): string | undefined {
    // Xen on Arm offers dom0 no kexec hypercall, so a new dom0 kernel comes up only through a reboot.
    if (profile.hypervisor === 'xen') return `kexec is impossible under ${profile.name}: an Arm Xen dom0 has no kexec; deploy by reboot`;
    return undefined;
  }

  protected steps({ machine, kernel, options, target, pushOptions }: DeployContext): DeploySteps {
    const { signal } = options;
    const remoteImage = `${DEPLOY_REMOTE_DIR}/Image-${kernel.release}.gz`;
    const remoteInitrd = `${DEPLOY_REMOTE_DIR}/initrd-${kernel.release}.cpio.gz`;
    let modules: ModulesArchive | undefined;
    let image: CompressedImage | undefined;
    let previousBootId = '';
    return {
      prepare: async () => {
        image = await compressedImage(kernel, { signal });
        const staged = await stageInitrdModules(kernel, { workDir: options.workDir, extraModules: this.config.extraModules, signal });
        modules = await writeModulesArchive(staged, join(options.workDir, `modules-${kernel.release}.cpio.gz`));
      },
      push: async () => {
        // Gzip'd once on the host (the Image checked against its recorded hash first) and kept so: kexec inflates it itself,
        // so the target decrypts and hashes a third of the bytes and never writes the raw Image.
        const pushedImage = await pushFile(target, image!.path, remoteImage, { ...pushOptions, compress: false, expectedSha256: image!.sha256 });
        const remote = await buildInitrdOnTarget(target, { baseInitramfs: this.config.baseInitramfs, modules: modules!, outputPath: remoteInitrd }, pushOptions);
        return { pushes: [pushedImage, ...remote.pushes], initrd: remote.initrd };
      },
      load: async () => {
        // --no-checks skips purgatory's sha256 of every segment, which costs ~7 s under TCG; the push already verified them.
        // The boot_id rides along: one round trip.
        const load = await target.exec(
          `cat /proc/sys/kernel/random/boot_id && kexec -l --no-checks ${shellWord(remoteImage)} --initrd=${shellWord(remoteInitrd)} --command-line="$(cat /proc/cmdline)" && cat /sys/kernel/kexec_loaded`,
          { timeoutMs: 120_000, signal },
        );
        if (load.code !== 0) throw commandFailure('E_KEXEC_LOAD', `kexec -l ${remoteImage}`, load);
        const lines = load.stdout.trim().split('\n');
        previousBootId = lines[0]!.trim();
        if (lines.at(-1) !== '1' || lines.length < 2) throw commandFailure('E_KEXEC_LOAD', 'kexec -l (the kernel reports nothing loaded)', load);
        // Last, so a failed load leaves the remotes as the steps left them.
        const stopped = await stopRunningRemotes({ guest: machine.guest, signal, deadline: options.deadline, machineDied: machine.died });
        if (stopped.length) options.onPhase?.(`stopped ${stopped.join(', ')}`);
      },
      previousBootId: () => previousBootId,
      restart: { command: 'kexec -e', before: 'sync', code: 'E_KEXEC_EXEC', waitingFor: `the kexec'd kernel ${kernel.release} to come up` },
    };
  }
}
