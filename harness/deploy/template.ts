// The one shape of every deploy: refuse early, prepare, push, load, restart into the pushed kernel, prove it runs, and
// build the record. A method (kexec, reboot) fills in only the steps that differ.
import { InfraError } from '../core/errors.ts';
import type { KernelUnderTest } from '../kernel/input.ts';
import type { RunningMachine } from '../machine/machine.ts';
import type { Profile } from '../model/profile.ts';
import { deployTimings, type Deployer, type DeployMethod, type DeployOptions, type DeployResult } from './deploy.ts';
import type { AssembledInitrd } from './initrd-assembly.ts';
import { proveKernelRunning } from './proof.ts';
import { pushTargetOf, type PushOptions, type PushResult, type PushTarget } from './push.ts';
import { restartInto, type RestartCommand } from './restart.ts';

/** What every step of one deploy works with. */
export interface DeployContext {
  machine: RunningMachine;
  kernel: KernelUnderTest;
  options: DeployOptions;
  /** The guest of the boot being left, as a push target. */
  target: PushTarget;
  /** The deploy's signal, deadline, the machine's death and progress, for each push. */
  pushOptions: PushOptions;
}

export interface PushedKernel {
  pushes: PushResult[];
  /** The initrd the target assembled from the pushes. */
  initrd: AssembledInitrd;
}

/** The steps a method fills in, in the order the template runs them; state between them lives in the method's closure. */
export interface DeploySteps {
  /** Host-side work, and whatever the target must say before anything is pushed. */
  prepare(): Promise<void>;
  push(): Promise<PushedKernel>;
  /** Puts the pushed kernel where the restart starts it: kexec -l, or the files onto the boot partition. */
  load(): Promise<void>;
  /** boot_id of the kernel being left; read by prepare or load. */
  previousBootId(): string;
  /** What ends the running kernel, e.g. `kexec -e`. */
  restart: Omit<RestartCommand, 'release'>;
}

export abstract class TemplateDeployer implements Deployer {
  abstract readonly method: DeployMethod;
  /** Progress names of the load and restart phases, e.g. kexec-load and kexec. */
  protected abstract readonly phases: { load: string; restart: string };

  abstract refusal(profile: Profile): string | undefined;

  /** Why this running machine cannot take the deploy; by default, its profile's refusal. */
  protected machineRefusal(machine: RunningMachine): string | undefined {
    return this.refusal(machine.profile);
  }

  protected abstract steps(context: DeployContext): DeploySteps;

  async deploy(machine: RunningMachine, kernel: KernelUnderTest, options: DeployOptions): Promise<DeployResult> {
    const refused = this.machineRefusal(machine);
    if (refused) throw new InfraError('E_DEPLOY_UNSUPPORTED', refused);
    const { signal, deadline } = options;
    const started = performance.now();
    const phase = (name: string) => options.onPhase?.(name);
    // Refused here, before any host work, when the guest cannot take a pushed file at all.
    const target = pushTargetOf(machine.guest, this.method, machine.hostAddress);
    const pushOptions: PushOptions = { signal, deadline, dies: [machine.died], ...(options.onProgress ? { onProgress: options.onProgress } : {}) };
    const steps = this.steps({ machine, kernel, options, target, pushOptions });

    phase('prepare');
    await steps.prepare();
    const prepared = performance.now();

    phase('push');
    const { pushes, initrd } = await steps.push();
    const pushed = performance.now();

    phase(this.phases.load);
    await steps.load();
    const loaded = performance.now();

    phase(this.phases.restart);
    const previousBootId = steps.previousBootId();
    await restartInto(machine, previousBootId, { ...steps.restart, release: kernel.release }, { signal, deadline });
    const rebooted = performance.now();

    phase('proof');
    // machine.guest, not target: the restart replaced the guest with the new boot's.
    const proof = await proveKernelRunning(machine.guest, kernel, { after: previousBootId }, machine.profile, { signal, deadline });
    const proved = performance.now();
    return { method: this.method, previousBootId, proof, pushes, initrd, timings: deployTimings({ started, prepared, pushed, loaded, rebooted, proved }) };
  }
}
