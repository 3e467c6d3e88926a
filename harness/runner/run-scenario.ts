// Runs one scenario on one profile: start the machine, self-check it, run the steps, and always stop it and keep the artifacts.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { toPilotError, type PilotError } from '../core/errors.ts';
import { earliest } from '../core/wait.ts';
import type { KeptMachine, MachineBackend, RunningMachine } from '../machine/machine.ts';
import { checkProfile } from '../machine/self-check.ts';
import type { Reporter, PlannedRun } from '../report/reporter.ts';
import type { DeployRecord, PhaseTiming, RunResult, Status, StepResult } from '../model/results.ts';
import type { LoadedScenario } from '../scenario/load.ts';
import { createRunDir } from './artifacts.ts';
import { prepareBootStage, runDeployStage, type RunDeploy } from './deploy-stage.ts';
import { keepsRun, type KeptMachines } from './kept-machines.ts';
import { failureInfo, runSteps, StepsInterrupted } from './run-steps.ts';
import { RUN_RESULT_JSON, SELF_CHECK_TXT } from '../model/artifact-names.ts';

/** Boot may take at most this long even when the scenario allows more; a hung boot must not eat a whole nightly. */
const BOOT_LIMIT_MS = 5 * 60_000;

export interface ScenarioRunInput {
  planned: PlannedRun;
  scenario: LoadedScenario;
  backend: MachineBackend;
  artifactsRoot: string;
  reporter: Required<Reporter>;
  signal: AbortSignal;
  /** --timeout: replaces the scenario's own. */
  timeoutMs?: number | undefined;
  /** A kernel to push and start after boot, or to boot directly; the steps then run on it. */
  deploy?: RunDeploy | undefined;
  /** `--keep-failed`: takes over the machine of a run that FAILed or ERRORed, instead of stopping it. */
  keeper?: KeptMachines | undefined;
  /** No retry follows an ERROR of this attempt, so its machine is the run's to keep. Default true. */
  lastChance?: boolean;
  /** `--gdb`: told the gdbstub's port as soon as QEMU listens on it. */
  onGdbStub?: ((port: number) => void) | undefined;
}

function statusOf(error: PilotError): Status {
  return error.failureClass === 'fail' ? 'fail' : 'error';
}

/** Hands a failed run's live machine to the keeper when one is asked for; stops it otherwise, as on every other path. */
async function keepOrStop(machine: RunningMachine | undefined, input: ScenarioRunInput, outcome: Pick<RunResult, 'status' | 'failure'>): Promise<KeptMachine | undefined> {
  if (!machine) return undefined;
  const wanted = input.keeper && machine.keep && (input.lastChance ?? true) && !input.signal.aborted && keepsRun(outcome);
  const kept = wanted ? await machine.keep!().catch(() => undefined) : undefined;
  if (!kept) await machine.stop().catch(() => {});
  return kept;
}

export async function runScenario(input: ScenarioRunInput): Promise<RunResult> {
  const { planned, scenario, backend, reporter, signal } = input;
  const startedAt = new Date();
  const artifactsDir = await createRunDir(input.artifactsRoot, planned.id);
  const deadline = startedAt.getTime() + (input.timeoutMs ?? scenario.timeoutMs);
  const phases: PhaseTiming[] = [];
  let steps: StepResult[] = [];
  let machine: RunningMachine | undefined;
  let failure: PilotError | undefined;
  let deployed: DeployRecord | undefined;
  let bootedKernelRelease: string | undefined;
  reporter.onRunBegin(planned);
  try {
    // A direct deploy's initrd is assembled before the machine starts, which then boots the kernel under test.
    const boot = input.deploy ? await prepareBootStage({ planned, deploy: input.deploy, artifactsDir, reporter, signal, phases }) : undefined;
    const bootStarted = performance.now();
    machine = await backend.start({
      artifactsDir,
      signal,
      deadline: earliest(deadline, Date.now() + BOOT_LIMIT_MS)!,
      onPhase: (phase) => reporter.onPhase(planned, phase),
      onConsole: (chunk) => reporter.onConsole(planned, chunk),
      ...(input.onGdbStub ? { onGdbStub: input.onGdbStub } : {}),
      ...(boot ? { kernel: { imagePath: boot.kernelImage, initramfsPath: boot.initrd.path } } : {}),
    });
    const bootMs = performance.now() - bootStarted;
    phases.push(...machine.phases);
    bootedKernelRelease = machine.release;

    // On a direct boot the proof's self-check is the only one: the image's kernel never ran.
    if (!boot) {
      const checkStarted = Date.now();
      reporter.onPhase(planned, 'self-check');
      const observed = await checkProfile(backend.profile, machine.guest, { signal, deadline });
      await writeFile(join(artifactsDir, SELF_CHECK_TXT), observed.join('\n') + '\n');
      phases.push({ name: 'self-check', startedAtMs: checkStarted, durationMs: Date.now() - checkStarted });
    }

    // The proof inside the deploy re-runs the self-check on the kernel under test; a failed proof is an ERROR, never a pass on the old one.
    if (input.deploy) {
      const stage = await runDeployStage({ planned, machine, deploy: input.deploy, artifactsDir, reporter, signal, deadline, phases, booted: boot ? { boot, bootMs } : undefined });
      deployed = stage.record;
      if (boot) await writeFile(join(artifactsDir, SELF_CHECK_TXT), stage.profileCheck.join('\n') + '\n');
    }

    const stepsStarted = Date.now();
    steps = await runSteps({
      scenario,
      profile: backend.profile,
      guest: machine.guest,
      signal,
      deadline,
      machineDied: machine.died,
      artifactsDir,
      ...(machine.trustZone ? { trustZone: machine.trustZone } : {}),
      hooks: {
        onStepBegin: (index, title) => reporter.onStepBegin(planned, index, title),
        onStepEnd: (step) => reporter.onStepEnd(planned, step),
      },
    });
    phases.push({ name: 'steps', startedAtMs: stepsStarted, durationMs: Date.now() - stepsStarted });
  } catch (error) {
    // An interrupted step engine still hands back what it recorded, so the report shows where Ctrl-C landed.
    if (error instanceof StepsInterrupted) steps = error.steps;
    failure = toPilotError(error);
  }

  const failedStep = steps.find((step) => step.status === 'fail' || step.status === 'error');
  const status: Status = failure ? statusOf(failure) : failedStep ? failedStep.status : 'pass';
  const failureRecord = failure ? failureInfo(failure) : failedStep?.failure;
  const kept = await keepOrStop(machine, input, { status, ...(failureRecord ? { failure: failureRecord } : {}) });
  const result: RunResult = {
    id: planned.id,
    scenario: scenario.name,
    file: scenario.file,
    profile: backend.profile.name,
    status,
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
    phases,
    steps,
    artifactsDir,
    soc: scenario.soc,
    ...(machine?.release ? { kernelRelease: machine.release } : {}),
    ...(bootedKernelRelease ? { bootedKernelRelease } : {}),
    ...(deployed ? { deploy: deployed } : {}),
    ...(failureRecord ? { failure: failureRecord } : {}),
  };
  await writeFile(join(artifactsDir, RUN_RESULT_JSON), JSON.stringify(result, null, 2) + '\n');
  if (kept) await input.keeper!.add(result, kept);
  reporter.onRunEnd(planned, result);
  return result;
}
