// Runs a planned matrix: every run in a pool of machines, reported as it goes, judged against known issues, summarised at the end.
import type { PlannedRun as ReportedRun, Reporter } from '../report/reporter.ts';
import { countStatuses, type RunResult, type RunSummary } from '../model/results.ts';
import type { MatrixRun } from '../scenario/matrix.ts';
import { applyKnownIssues } from '../known-issues/match.ts';
import { runPool } from './pool.ts';
import { runScenario } from './run-scenario.ts';
import { runWithRetries } from './retry.ts';
import { machineFor } from './plan/backend.ts';
import type { RunPlan } from './plan/planned-run.ts';

export interface MatrixInput {
  plan: RunPlan;
  artifactsDir: string;
  reporter: Required<Reporter>;
  signal: AbortSignal;
  timeoutMs?: number | undefined;
  /** --retries: how often a run that ended in ERROR is run again. */
  retries?: number;
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
        attempt: (attemptReporter) =>
          runScenario({
            planned: plans[index]!,
            scenario: run.scenario,
            backend: machineFor(run, plan.images),
            artifactsRoot: input.artifactsDir,
            reporter: attemptReporter,
            signal,
            timeoutMs: input.timeoutMs,
            deploy: run.deploy,
          }),
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
