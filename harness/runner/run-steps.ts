// Runs a scenario's steps in order against a booted target: one kmsg window per step, the kernel-error oracle after each, stop at the first failure.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AbortedError, InfraError, toPilotError, type PilotError } from '../core/errors.ts';
import { formatMs, linkedAbort, race } from '../core/wait.ts';
import { formatKmsg, type Guest, type KmsgRecord } from '../guest/guest.ts';
import type { Profile } from '../model/profile.ts';
import type { FailureInfo, Status, StepResult } from '../model/results.ts';
import type { LoadedScenario, LoadedStep } from '../scenario/load.ts';
import { checkFaultStorm, watchFaultStorm, type FaultStormWatch } from '../oracles/fault-storm.ts';
import { resolveFaultStormRule } from '../scenario/fault-storm-setting.ts';
import { checkKernelErrors, describeOracleResult, kernelErrorFailure } from '../oracles/kernel-oracle.ts';
import { findStepKind, STEP_KINDS } from '../steps/registry.ts';
import type { AnyStepKind, StepContext } from '../steps/step.ts';
import type { TrustZoneChannel } from '../model/trust-zone.ts';
import { BOOT_DMESG_FILE, STEPS_DIR, stepDmesgFile, stepFile } from '../model/artifact-names.ts';

/** How long reading the last records of a step may take once the step itself is over. */
const POST_STEP_SYNC_MS = 5_000;
/** After a dmesg wait's deadline, one more sync this long catches records logged just before it but not yet received. */
const LATE_RECORD_GRACE_MS = 2_000;

export interface RunStepsInput {
  scenario: LoadedScenario;
  profile: Profile;
  guest: Guest;
  /** The run's signal: Ctrl-C and SIGTERM. */
  signal: AbortSignal;
  /** Absolute deadline of the scenario (Date.now() ms). */
  deadline: number;
  machineDied: Promise<never>;
  artifactsDir: string;
  /** The EL3 firmware's secure UART, on machines that run it (`soc: real`); steps that read or drive TrustZone need it. */
  trustZone?: TrustZoneChannel;
  hooks?: {
    onStepBegin?(index: number, title: string): void;
    onStepEnd?(step: StepResult): void;
  };
  /** Step kinds to resolve steps with; the registry by default (tests pass their own). */
  kinds?: ReadonlyArray<AnyStepKind>;
}

/** Thrown when the run's signal aborts; carries the results recorded so far (the interrupted step is `error`, the rest `skip`). */
export class StepsInterrupted extends AbortedError {
  readonly steps: StepResult[];
  constructor(steps: StepResult[], cause: unknown) {
    const at = steps.find((step) => step.status === 'error');
    super(at ? `interrupted during step ${at.index + 1} (${at.title})` : 'interrupted between steps', { cause });
    this.steps = steps;
  }
}

export async function runSteps(input: RunStepsInput): Promise<StepResult[]> {
  const { scenario, guest, signal, machineDied, hooks } = input;
  const kinds = input.kinds ?? STEP_KINDS;
  const log = guest.kernelLog;
  const stepsDir = join(input.artifactsDir, STEPS_DIR);
  await mkdir(stepsDir, { recursive: true });

  // One listener for the whole run: machine death aborts whichever step is current.
  let death: unknown;
  let current: AbortController | undefined;
  machineDied.catch((error: unknown) => {
    death = error ?? new InfraError('E_MACHINE_DIED', 'the machine died');
    current?.abort(death);
  });

  const results: StepResult[] = [];
  const emitEnd = (result: StepResult) => {
    results.push(result);
    callHook(() => hooks?.onStepEnd?.(result));
  };
  const skipFrom = (from: number) => {
    for (const step of scenario.steps.slice(from)) emitEnd(skipped(step));
  };

  let windowStart: number | undefined;
  let previousWindowStart: number | undefined;
  // tz log windows follow the kmsg ones: a step's window begins where the previous step's ended.
  let tzWindowStart: number | undefined;
  let previousTzWindowStart: number | undefined;
  for (const step of scenario.steps) {
    if (signal.aborted) {
      skipFrom(step.index);
      throw new StepsInterrupted(results, signal.reason);
    }
    callHook(() => hooks?.onStepBegin?.(step.index, step.title));
    const started = Date.now();
    const ownDeadline = step.timeoutMs === undefined ? undefined : started + step.timeoutMs;
    const deadline = Math.min(ownDeadline ?? Infinity, input.deadline);
    const timeoutCode = ownDeadline !== undefined && ownDeadline <= input.deadline ? 'E_STEP_TIMEOUT' : 'E_SCENARIO_TIMEOUT';
    const assertions: string[] = [];
    const controller = linkedAbort(signal);
    current = controller;
    if (death !== undefined) controller.abort(death);
    const limits = { signal, deadline, dies: [machineDied] };
    // Fault-storm rule: SMMU faults are counted as they arrive, and too many fail the step at once.
    const stormRule = resolveFaultStormRule(scenario.faultStorm, step.faultStorm);
    const stormWhere = `during step ${step.index + 1}`;
    let storm: FaultStormWatch | undefined;

    let stepError: unknown;
    let fromSeq = windowStart ?? log.nextSeq();
    const tzFrom = tzWindowStart ?? input.trustZone?.lines().length ?? 0;
    try {
      if (windowStart === undefined) {
        await race(log.sync({ signal: controller.signal, deadline }), 'kernel log sync before the first step', limits);
        fromSeq = log.nextSeq();
        await checkBootLog(log.since(0).filter((record) => record.seq < fromSeq), assertions);
      }
      const kind = findStepKind(step.kind, kinds);
      if (!kind) throw new InfraError('E_STEP_KIND', `no step kind '${step.kind}' is registered`);
      const context = createStepContext({
        guest,
        profile: input.profile,
        signal: controller.signal,
        deadline,
        machineDied,
        windowStart: fromSeq,
        previousWindowStart: previousWindowStart ?? fromSeq,
        artifactsDir: input.artifactsDir,
        trustZone: input.trustZone,
        tzWindowStart: tzFrom,
        previousTzWindowStart: previousTzWindowStart ?? tzFrom,
        note: (assertion) => assertions.push(assertion),
        stepFiles: { dir: stepsDir, name: (suffix) => stepFile(step.index, step.kind, suffix) },
      });
      storm = stormRule && watchFaultStorm(log, fromSeq, stormRule, stormWhere);
      const runLimits = storm ? { ...limits, dies: [machineDied, storm.tripped] } : limits;
      await race(kind.run(step.spec, context), step.title, runLimits, () => {
        const limit = timeoutCode === 'E_STEP_TIMEOUT' ? `its timeout of ${formatMs(step.timeoutMs!)}` : "the scenario's timeout";
        return new InfraError(timeoutCode, `step ${step.index + 1} (${step.title}) did not finish within ${limit}`);
      });
    } catch (error) {
      stepError = error;
    } finally {
      storm?.stop();
      current = undefined;
      // Whatever the step left running (an exec, a wait) ends with it, so it cannot reach into the next step.
      controller.abort(new AbortedError('the step ended'));
      controller.dispose();
    }

    const interrupted = signal.aborted;
    let syncError: unknown;
    if (!interrupted && death === undefined) {
      const syncDeadline = Date.now() + POST_STEP_SYNC_MS;
      await race(log.sync({ signal, deadline: syncDeadline }), 'kernel log sync after the step', { signal, deadline: syncDeadline, dies: [machineDied] }).catch(
        (error: unknown) => {
          syncError = error;
        },
      );
    }
    const toSeq = Math.max(fromSeq, log.nextSeq());
    const window = log.since(fromSeq).filter((record) => record.seq < toSeq);
    const oracle = checkKernelErrors(window, scenario.kernelErrors);
    assertions.push(...describeOracleResult(oracle, scenario.kernelErrors));
    // Faults that reached the harness only with the last sync count too.
    const faultStorm = storm?.failure ?? (stormRule && checkFaultStorm(window, stormRule, stormWhere));
    previousWindowStart = fromSeq;
    windowStart = toSeq;
    previousTzWindowStart = tzFrom;
    tzWindowStart = input.trustZone?.lines().length ?? 0;
    await writeDmesg(join(stepsDir, stepDmesgFile(step.index, step.kind)), window, assertions);

    const { status, failure } = judge({
      interrupted,
      stepError,
      syncError,
      kernelErrors: oracle.incidents.length ? kernelErrorFailure(oracle.incidents, `during step ${step.index + 1}`) : undefined,
      faultStorm,
    });
    emitEnd({
      index: step.index,
      kind: step.kind,
      title: step.title,
      line: step.line,
      status,
      startedAtMs: started,
      durationMs: Date.now() - started,
      assertions,
      ...(failure ? { failure } : {}),
      dmesgWindow: { fromSeq, toSeq },
    });
    if (status === 'pass') continue;
    skipFrom(step.index + 1);
    if (interrupted) throw new StepsInterrupted(results, signal.reason);
    break;
  }
  return results;

  /** The boot log is checked once, before step 1; a report there fails step 1 without running it. */
  async function checkBootLog(records: KmsgRecord[], assertions: string[]): Promise<void> {
    const boot = checkKernelErrors(records, scenario.kernelErrors);
    for (const optOut of scenario.kernelErrors) assertions.push(`kernel-error oracle ignores '${optOut.pattern}' in this scenario: ${optOut.reason}`);
    assertions.push(...describeOracleResult(boot, scenario.kernelErrors).map((note) => `boot log: ${note}`));
    await writeDmesg(join(stepsDir, BOOT_DMESG_FILE), records, assertions);
    if (boot.incidents.length) throw kernelErrorFailure(boot.incidents, 'during boot, before step 1 ran');
  }
}

/** The plain fields of a StepContext; createStepContext adds the dmesg helpers on top. */
export type StepContextInput = Pick<
  StepContext,
  'guest' | 'profile' | 'signal' | 'deadline' | 'machineDied' | 'windowStart' | 'previousWindowStart' | 'artifactsDir' | 'note' | 'trustZone'
> &
  Partial<Pick<StepContext, 'tzWindowStart' | 'previousTzWindowStart'>> & {
    /** Where keepFile writes (the run's steps folder) and the file name for a suffix; without it nothing is kept. */
    stepFiles?: { dir: string; name: (suffix: string) => string };
  };

/** The context a step kind runs with; exported so step kinds can be unit-tested against the real dmesg waiting. */
export function createStepContext(input: StepContextInput): StepContext {
  const log = input.guest.kernelLog;
  const { signal, deadline, machineDied } = input;
  const fromSeq = input.windowStart;
  // Without a window given, the tz window starts at the lines logged so far, as the kmsg window starts at the log's end.
  const tzWindowStart = input.tzWindowStart ?? input.trustZone?.lines().length ?? 0;
  return {
    guest: input.guest,
    profile: input.profile,
    signal,
    deadline,
    machineDied,
    windowStart: fromSeq,
    previousWindowStart: input.previousWindowStart,
    artifactsDir: input.artifactsDir,
    ...(input.trustZone ? { trustZone: input.trustZone } : {}),
    tzWindowStart,
    previousTzWindowStart: input.previousTzWindowStart ?? tzWindowStart,
    note: (assertion) => input.note(assertion),
    async keepFile(suffix, text) {
      if (!input.stepFiles) return undefined;
      const name = input.stepFiles.name(suffix);
      await writeFile(join(input.stepFiles.dir, name), text);
      return `${STEPS_DIR}/${name}`;
    },
    async dmesgSinceStepStart() {
      await race(log.sync({ signal, deadline }), 'kernel log sync', { signal, deadline, dies: [machineDied] });
      return log.since(fromSeq);
    },
    async waitForDmesg(match, waitDeadline, what, from = fromSeq) {
      const timedOut = new Error('wait deadline');
      let found: (record: KmsgRecord) => void = () => {};
      const arrival = new Promise<KmsgRecord>((resolve) => {
        found = resolve;
      });
      const unsubscribe = log.subscribe((record) => {
        if (record.seq >= from && match(record)) found(record);
      });
      try {
        const already = log.since(from).find(match);
        if (already) return already;
        try {
          return await race(arrival, what, { signal, deadline: waitDeadline, dies: [machineDied] }, () => timedOut);
        } catch (error) {
          if (error !== timedOut) throw error;
        }
        const graceDeadline = Date.now() + LATE_RECORD_GRACE_MS;
        await race(log.sync({ signal, deadline: graceDeadline }), 'kernel log sync', { signal, deadline: graceDeadline, dies: [machineDied] }).catch(
          (error: unknown) => {
            if (signal.aborted) throw error;
          },
        );
        return log.since(from).find(match);
      } finally {
        unsubscribe();
      }
    },
  };
}

function judge(outcome: {
  interrupted: boolean;
  stepError: unknown;
  syncError: unknown;
  kernelErrors: PilotError | undefined;
  faultStorm?: PilotError | undefined;
}): { status: Status; failure: FailureInfo | undefined } {
  const { interrupted, stepError, syncError, kernelErrors, faultStorm } = outcome;
  if (interrupted) {
    const error = stepError instanceof AbortedError ? stepError : new AbortedError('interrupted', { cause: stepError });
    return { status: 'error', failure: failureInfo(error) };
  }
  // A kernel error report, else a fault storm, explains whatever else went wrong in the step (a hung command, a dead
  // machine), so it decides.
  const explanation = kernelErrors ?? faultStorm;
  if (explanation) {
    const failure = failureInfo(explanation);
    if (stepError !== undefined && stepError !== explanation) {
      const own = toPilotError(stepError);
      failure.evidence = [...failure.evidence, `the step itself ended with ${own.code}: ${own.message}`];
    }
    return { status: 'fail', failure };
  }
  if (stepError !== undefined) {
    const error = toPilotError(stepError);
    return { status: error.failureClass === 'fail' ? 'fail' : 'error', failure: failureInfo(error) };
  }
  if (syncError !== undefined) {
    const cause = toPilotError(syncError);
    return {
      status: 'error',
      failure: failureInfo(new InfraError('E_DMESG_SYNC', `could not read the kernel log after the step: ${cause.message}`, { cause })),
    };
  }
  return { status: 'pass', failure: undefined };
}

/** A failure as results record it; the evidence is copied, so adding to it leaves the error as it was. */
export function failureInfo(error: PilotError): FailureInfo {
  return { code: error.code, message: error.message, evidence: [...error.evidence], ...(error.hint ? { hint: error.hint } : {}) };
}

function skipped(step: LoadedStep): StepResult {
  return { index: step.index, kind: step.kind, title: step.title, line: step.line, status: 'skip', durationMs: 0, assertions: [] };
}

async function writeDmesg(path: string, records: ReadonlyArray<KmsgRecord>, assertions: string[]): Promise<void> {
  try {
    await writeFile(path, records.map((record) => formatKmsg(record) + '\n').join(''));
  } catch (error) {
    // A full disk must not turn a kernel result into something else; the report says the artifact is missing.
    assertions.push(`could not write ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** A throwing report hook must not end the run. */
function callHook(hook: () => void): void {
  try {
    hook();
  } catch {
    // reporters are multiplexed and guarded upstream; nothing useful to do here
  }
}
