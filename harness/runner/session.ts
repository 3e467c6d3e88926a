// The one call behind `pilot run`: load and check, trap interrupts, plan (building images with progress), run, report.
import type { RunSummary } from '../model/results.ts';
import type { ProfileName } from '../model/profile.ts';
import { createArtifactsRoot } from './artifacts.ts';
import type { KernelRequest } from './kernel-plan.ts';
import { gatherKnownIssues } from './plan/known-issues.ts';
import { loadPlanSources, type PlanSources } from './plan/load-inputs.ts';
import { planRuns } from './plan/plan-runs.ts';
import { createRunReporter } from './reporters.ts';
import { runMatrix } from './run-matrix.ts';
import type { SessionIo } from './session-io.ts';
import { loadDurations, type ShardSpec } from './shard.ts';

/** What `pilot run` asks for, its flags already checked. */
export interface RunRequest extends PlanSources {
  profiles: ProfileName[];
  jobs: number;
  timeoutMs: number | undefined;
  /** --kernel: replaces every scenario's own kernel. */
  kernel: KernelRequest | undefined;
  shard: ShardSpec | undefined;
  /** An earlier results.json (or its folder) whose durations balance the shards. */
  durationsFile: string | undefined;
  knownIssuesFile: string | undefined;
  /** Base folder of the artifacts; a timestamped folder is made inside. */
  artifactsBase: string | undefined;
  kcidbFile: string | undefined;
  /** How often a run that ended in ERROR is run again. */
  retries?: number;
}

export async function runSession(request: RunRequest, io: SessionIo): Promise<RunSummary> {
  const { scenarios, board } = await loadPlanSources(request);
  const durations = request.durationsFile === undefined ? undefined : await loadDurations(request.durationsFile);
  const knownIssues = await gatherKnownIssues(scenarios, request.knownIssuesFile, io.note);
  const interrupts = io.trapInterrupts();
  try {
    const [plan] = await planRuns({
      ...request,
      scenarios,
      board,
      durations,
      knownIssues,
      kernels: [{ request: request.kernel }],
      signal: interrupts.signal,
      onImageProgress: io.onImageProgress,
      note: io.note,
    });
    const artifactsDir = await createArtifactsRoot({ base: request.artifactsBase });
    const reporter = await createRunReporter(plan!, { kcidbFile: request.kcidbFile });
    return await runMatrix({ plan: plan!, artifactsDir, reporter, signal: interrupts.signal, timeoutMs: request.timeoutMs, retries: request.retries ?? 0 });
  } finally {
    interrupts.dispose();
  }
}
