// Deploy by kexec: push the Image and the pieces of an initrd carrying its modules, which the target assembles; load
// them with the running command line, jump, wait for the new boot's readiness line, and prove the pushed kernel runs.
import { InfraError } from '../core/errors.ts';
import type { RunningMachine } from '../machine/machine.ts';
import type { Profile } from '../model/profile.ts';
import { shellWord } from '../host/shell-quote.ts';
import { deployTimings, type Deployer, type DeployOptions, type DeployResult } from './deploy.ts';
import { stageInitrdModules } from './initrd-modules.ts';
import type { KernelUnderTest } from '../kernel/input.ts';
import { proveKernelRunning } from './proof.ts';
import { commandFailure, restartInto } from './restart.ts';
import { pushFile, pushTargetOf, type PushResult } from './push.ts';
import { buildInitrdOnTarget, DEPLOY_REMOTE_DIR } from './remote-initrd.ts';

export interface KexecDeployerConfig {
  /** The initramfs the machine booted (ImageSet.initramfsPath); the target appends the new kernel's modules to it. */
  baseInitramfs: string;
  extraModules?: readonly string[];
}

export class KexecDeployer implements Deployer {
  readonly method = 'kexec' as const;

  constructor(private readonly config: KexecDeployerConfig) {}

  refusal(profile: Profile): string | undefined {
    // Xen on Arm offers dom0 no kexec hypercall, so a new dom0 kernel comes up only through a reboot.
    if (profile.hypervisor === 'xen') return `kexec is impossible under ${profile.name}: an Arm Xen dom0 has no kexec; deploy by reboot`;
    return undefined;
  }

  async deploy(machine: RunningMachine, kernel: KernelUnderTest, options: DeployOptions): Promise<DeployResult> {
    const refused = this.refusal(machine.profile);
    if (refused) throw new InfraError('E_DEPLOY_UNSUPPORTED', refused);
    const { signal, deadline } = options;
    const dies = [machine.died];
    const started = performance.now();
    const phase = (name: string) => options.onPhase?.(name);

    phase('prepare');
    const modules = await stageInitrdModules(kernel, { workDir: options.workDir, extraModules: this.config.extraModules, signal });
    const prepared = performance.now();

    phase('push');
    const target = pushTargetOf(machine.guest, 'kexec');
    const remoteImage = `${DEPLOY_REMOTE_DIR}/Image-${kernel.release}`;
    const remoteInitrd = `${DEPLOY_REMOTE_DIR}/initrd-${kernel.release}.cpio.gz`;
    const pushOptions = { signal, deadline, dies, ...(options.onProgress ? { onProgress: options.onProgress } : {}) };
    const pushes: PushResult[] = [];
    // The artifact's own hash: an Image damaged on disk since it was resolved is refused by the target.
    pushes.push(await pushFile(target, kernel.imagePath, remoteImage, { ...pushOptions, expectedSha256: kernel.imageSha256 }));
    const remote = await buildInitrdOnTarget(target, { baseInitramfs: this.config.baseInitramfs, modulesDir: modules.dir, outputPath: remoteInitrd }, pushOptions);
    pushes.push(...remote.pushes);
    const pushed = performance.now();

    phase('kexec-load');
    const guest = machine.guest;
    const previousBootId = (await guest.exec('cat /proc/sys/kernel/random/boot_id', { timeoutMs: 15_000, signal })).stdout.trim();
    // --no-checks skips purgatory's sha256 of every segment, which costs ~7 s under TCG; the push already verified them.
    const load = await guest.exec(
      `kexec -l --no-checks ${shellWord(remoteImage)} --initrd=${shellWord(remoteInitrd)} --command-line="$(cat /proc/cmdline)" && cat /sys/kernel/kexec_loaded`,
      { timeoutMs: 120_000, signal },
    );
    if (load.code !== 0) throw commandFailure('E_KEXEC_LOAD', `kexec -l ${remoteImage}`, load);
    if (load.stdout.trim().split('\n').at(-1) !== '1') throw commandFailure('E_KEXEC_LOAD', 'kexec -l (the kernel reports nothing loaded)', load);
    const loaded = performance.now();

    phase('kexec');
    await restartInto(machine, previousBootId, { command: 'kexec -e', before: 'sync', code: 'E_KEXEC_EXEC', release: kernel.release, waitingFor: `the kexec'd kernel ${kernel.release} to come up` }, { signal, deadline });
    const rebootedAt = performance.now();

    phase('proof');
    const proof = await proveKernelRunning(machine.guest, kernel, previousBootId, machine.profile, { signal, deadline });
    const proved = performance.now();
    return {
      method: 'kexec',
      previousBootId,
      proof,
      pushes,
      initrd: remote.initrd,
      timings: deployTimings({ started, prepared, pushed, loaded, rebooted: rebootedAt, proved }),
    };
  }
}
