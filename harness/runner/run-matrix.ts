// Runs a planned matrix: every run in a pool of machines, reported as it goes, judged against known issues, summarised at the end.
import type { PlannedRun as ReportedRun, Reporter } from '../report/reporter.ts';
import { countStatuses, type RunResult, type RunSummary } from '../model/results.ts';
import type { MatrixRun } from '../scenario/matrix.ts';
import { applyKnownIssues } from '../known-issues/match.ts';
import { runPool } from './pool.ts';
import { runScenario } from './run-scenario.ts';
import { runWithRetries } from './retry.ts';
import { machineFor } from './plan/backend.ts';
import type { PlannedRun, RunPlan } from './plan/planned-run.ts';
import { gdbNotice, runGdbSymbols } from './gdb-command.ts';
import type { KeptMachines } from './kept-machines.ts';

export interface MatrixInput {
  plan: RunPlan;
  artifactsDir: string;
  reporter: Required<Reporter>;
  signal: AbortSignal;
  timeoutMs?: number | undefined;
  /** --retries: how often a run that ended in ERROR is run again. */
  retries?: number;
  /** --keep-failed: takes over the machines of runs that FAILed or ERRORed. */
  keeper?: KeptMachines | undefined;
  /** --gdb: every QEMU machine gets a gdbstub, announced with its gdb command. */
  gdb?: boolean;
}

/** What reporters are told of a run before it starts. */
export function plannedRun(run: MatrixRun): ReportedRun {
  return {
    id: run.id,
    scenario: run.scenario.name,
    file: run.scenario.file,
    profile: run.profile,
    stepTitles: run.scenario.steps.map((step) => step.title),
  };
}

function skippedResult(run: MatrixRun, artifactsDir: string): RunResult {
  return {
    id: run.id,
    scenario: run.scenario.name,
    file: run.scenario.file,
    profile: run.profile,
    status: 'skip',
    startedAt: new Date().toISOString(),
    durationMs: 0,
    phases: [],
    steps: [],
    artifactsDir,
    failure: { code: 'E_ABORTED', message: 'not started: the run was interrupted', evidence: [] },
  };
}

/** Prints a run's gdb command once its stub listens; the symbols are looked up then, off the run's path. */
function gdbAnnouncer(plan: RunPlan, run: PlannedRun, planned: ReportedRun, reporter: Required<Reporter>): (port: number) => void {
  return (port) => void runGdbSymbols(plan, run).then((symbols) => reporter.onNotice(planned, gdbNotice(port, symbols)));
}

/** 14:05:12, as a person reads a time limit. */
export function localTime(iso: string): string {
  return new Date(iso).toTimeString().slice(0, 8);
}

export async function runMatrix(input: MatrixInput): Promise<RunSummary> {
  const { plan, reporter, signal } = input;
  const { runs: matrix, jobs } = plan;
  const plans = matrix.map(plannedRun);
  await reporter.onBegin({ runs: plans, artifactsDir: input.artifactsDir, jobs });
  const startedAt = new Date();
  const { results, unstarted } = await runPool(
    matrix,
    jobs,
    (run, index) =>
      runWithRetries({
        planned: plans[index]!,
        retries: input.retries ?? 0,
        reporter,
        signal,
        attempt: (attemptReporter, lastChance) =>
          runScenario({
            planned: plans[index]!,
            scenario: run.scenario,
            backend: machineFor(run, plan.images, { gdb: input.gdb ?? false }),
            artifactsRoot: input.artifactsDir,
            reporter: attemptReporter,
            signal,
            timeoutMs: input.timeoutMs,
            deploy: run.deploy,
            keeper: input.keeper,
            lastChance,
            ...(input.gdb ? { onGdbStub: gdbAnnouncer(plan, run, plans[index]!, reporter) } : {}),
          }),
      }).then((result) => {
        const kept = input.keeper?.recordFor(result.id);
        if (kept) reporter.onNotice(plans[index]!, [`kept up for debugging (pid ${kept.pid}, until ${localTime(kept.until)}); get in with:`, ...input.keeper!.accessLines(kept).map((line) => `  ${line}`)]);
        return result;
      }),
    signal,
  );
  const finished = [...results.filter((result): result is RunResult => result !== undefined), ...unstarted.map((run) => skippedResult(run, input.artifactsDir))];
  const runs = plan.knownIssues.length ? await applyKnownIssues(finished, plan.knownIssues) : finished;
  const summary: RunSummary = {
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
    artifactsDir: input.artifactsDir,
    interrupted: signal.aborted,
    runs,
    counts: countStatuses(runs),
    ...(plan.shard ? { shard: plan.shard } : {}),
  };
  await reporter.onEnd(summary);
  return summary;
}
