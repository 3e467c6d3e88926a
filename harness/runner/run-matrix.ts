// Runs a whole matrix: every scenario × profile in a pool of machines, reported as it goes, summarised at the end.
import type { ImageSet } from '../images/image-set.ts';
import type { MachineBackend } from '../machine/machine.ts';
import { PROFILES } from '../model/profile.ts';
import { QemuMachine } from '../machine/qemu-machine.ts';
import type { PlannedRun, Reporter } from '../report/reporter.ts';
import { countStatuses, type RunResult, type RunSummary } from '../model/results.ts';
import type { MatrixRun } from '../scenario/matrix.ts';
import type { RunDeploy } from './deploy-stage.ts';
import type { KnownIssue } from '../config/known-issue-schema.ts';
import { applyKnownIssues } from '../known-issues/match.ts';
import { runPool } from './pool.ts';
import { runScenario } from './run-scenario.ts';

export interface MatrixInput {
  matrix: ReadonlyArray<MatrixRun>;
  images: ImageSet;
  jobs: number;
  artifactsDir: string;
  reporter: Required<Reporter>;
  signal: AbortSignal;
  timeoutMs?: number | undefined;
  /** Runs that push a kernel under test, by run id. */
  deploys?: ReadonlyMap<string, RunDeploy>;
  /** Known failures: matching runs are marked `known` before the reporters see the summary. */
  knownIssues?: ReadonlyArray<KnownIssue>;
  /** Which share of the whole matrix this is, for `pilot merge`. */
  shard?: RunSummary['shard'];
  /** The machine of a run; QEMU on the run's profile unless given (a lab board). */
  backendFor?: (run: MatrixRun, deploy: RunDeploy | undefined) => MachineBackend;
}

export function plannedRun(run: MatrixRun): PlannedRun {
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

export function qemuBackendFor(images: ImageSet) {
  return (run: MatrixRun, deploy: RunDeploy | undefined): MachineBackend =>
    new QemuMachine({
      profile: PROFILES[run.profile],
      images,
      overlays: run.scenario.dtbOverlays[run.profile] ?? [],
      socKind: run.scenario.soc,
      deployMethod: deploy?.deployer.method,
      ...(deploy?.deployer.method === 'reboot' ? { bootloader: 'u-boot' as const } : {}),
    });
}

export async function runMatrix(input: MatrixInput): Promise<RunSummary> {
  const { matrix, jobs, reporter, signal } = input;
  const backendFor = input.backendFor ?? qemuBackendFor(input.images);
  const plans = matrix.map(plannedRun);
  await reporter.onBegin({ runs: plans, artifactsDir: input.artifactsDir, jobs });
  const startedAt = new Date();
  const { results, unstarted } = await runPool(
    matrix,
    jobs,
    (run, index) => {
      const deploy = input.deploys?.get(run.id);
      return runScenario({
        planned: plans[index]!,
        scenario: run.scenario,
        backend: backendFor(run, deploy),
        artifactsRoot: input.artifactsDir,
        reporter,
        signal,
        timeoutMs: input.timeoutMs,
        deploy,
      });
    },
    signal,
  );
  const finished = [...results.filter((result): result is RunResult => result !== undefined), ...unstarted.map((run) => skippedResult(run, input.artifactsDir))];
  const runs = input.knownIssues?.length ? await applyKnownIssues(finished, input.knownIssues) : finished;
  const summary: RunSummary = {
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
    artifactsDir: input.artifactsDir,
    interrupted: signal.aborted,
    runs,
    counts: countStatuses(runs),
    ...(input.shard ? { shard: input.shard } : {}),
  };
  await reporter.onEnd(summary);
  return summary;
}
