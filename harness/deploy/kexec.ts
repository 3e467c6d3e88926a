// Deploy by kexec: push the Image and the pieces of an initrd carrying its modules, which the target assembles; load
// them with the running command line, jump, wait for the new boot's readiness line, and prove the pushed kernel runs.
import type { Profile } from '../model/profile.ts';
import { shellWord } from '../host/shell-quote.ts';
import { stageInitrdModules, type StagedInitrdModules } from './initrd-modules.ts';
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
    const remoteImage = `${DEPLOY_REMOTE_DIR}/Image-${kernel.release}`;
    const remoteInitrd = `${DEPLOY_REMOTE_DIR}/initrd-${kernel.release}.cpio.gz`;
    let modules: StagedInitrdModules | undefined;
    let previousBootId = '';
    return {
      prepare: async () => {
        modules = await stageInitrdModules(kernel, { workDir: options.workDir, extraModules: this.config.extraModules, signal });
      },
      push: async () => {
        // The artifact's own hash: an Image damaged on disk since it was resolved is refused by the target.
        const image = await pushFile(target, kernel.imagePath, remoteImage, { ...pushOptions, expectedSha256: kernel.imageSha256 });
        const remote = await buildInitrdOnTarget(target, { baseInitramfs: this.config.baseInitramfs, modulesDir: modules!.dir, outputPath: remoteInitrd }, pushOptions);
        return { pushes: [image, ...remote.pushes], initrd: remote.initrd };
      },
      load: async () => {
        previousBootId = (await target.exec('cat /proc/sys/kernel/random/boot_id', { timeoutMs: 15_000, signal })).stdout.trim();
        // --no-checks skips purgatory's sha256 of every segment, which costs ~7 s under TCG; the push already verified them.
        const load = await target.exec(
          `kexec -l --no-checks ${shellWord(remoteImage)} --initrd=${shellWord(remoteInitrd)} --command-line="$(cat /proc/cmdline)" && cat /sys/kernel/kexec_loaded`,
          { timeoutMs: 120_000, signal },
        );
        if (load.code !== 0) throw commandFailure('E_KEXEC_LOAD', `kexec -l ${remoteImage}`, load);
        if (load.stdout.trim().split('\n').at(-1) !== '1') throw commandFailure('E_KEXEC_LOAD', 'kexec -l (the kernel reports nothing loaded)', load);
        // Last, so a failed load leaves the remotes as the steps left them.
        const stopped = await stopRunningRemotes({ guest: machine.guest, signal, deadline: options.deadline, machineDied: machine.died });
        if (stopped.length) options.onPhase?.(`stopped ${stopped.join(', ')}`);
      },
      previousBootId: () => previousBootId,
      restart: { command: 'kexec -e', before: 'sync', code: 'E_KEXEC_EXEC', waitingFor: `the kexec'd kernel ${kernel.release} to come up` },
    };
  }
}
