// Joins shard summaries into the one an unsharded run would have written: runs in matrix order, counts recomputed.
import { InputError } from '../../core/errors.ts';
import type { ProfileName } from '../../model/profile.ts';
import type { ResultsDocument } from '../json.ts';
import { countStatuses, type RunResult, type RunSummary } from '../../model/results.ts';

export interface ShardInput {
  /** Where the document was read from, for messages. */
  file: string;
  document: ResultsDocument;
}

export interface MergeOutcome {
  summary: RunSummary;
  /** Things the merged report is still right about but a person should know (incomplete shards). */
  warnings: string[];
}

/**
 * Refuses a run reported twice, shards of different splits or matrices, and a shard given twice. Runs the shards'
 * matrix plans but no shard reported become ERROR (or SKIP when a shard was interrupted), so nothing goes missing quietly.
 */
export function mergeSummaries(shards: ReadonlyArray<ShardInput>, artifactsDir: string): MergeOutcome {
  const owner = new Map<string, string>();
  const duplicates: string[] = [];
  for (const { file, document } of shards) {
    for (const run of document.runs) {
      const first = owner.get(run.id);
      if (first !== undefined) duplicates.push(`run '${run.id}' is in both ${first} and ${file}`);
      else owner.set(run.id, file);
    }
  }
  if (duplicates.length) throw new InputError('E_MERGE_DUPLICATE', ['a run may come from one shard only:', ...duplicates].join('\n'));

  const plan = shardPlan(shards);
  const interrupted = shards.some(({ document }) => document.interrupted);
  const warnings = shards
    .filter(({ document }) => !document.complete)
    .map(({ file }) => `${file}: pilot ended before finishing this results file; runs it did not record are reported as missing`);

  const runs = shards.flatMap(({ document }) => document.runs);
  let ordered = runs;
  if (plan) {
    const position = new Map(plan.matrix.map((id, index) => [id, index]));
    const reported = new Set(runs.map((run) => run.id));
    const missing = plan.matrix.filter((id) => !reported.has(id)).map((id) => missingRun(id, runs, plan, interrupted, artifactsDir));
    // Runs outside the matrix cannot happen with pilot's own shards; kept after the matrix rather than dropped.
    const rank = (run: RunResult) => position.get(run.id) ?? plan.matrix.length;
    ordered = [...runs, ...missing].map((run, index) => ({ run, index })).sort((a, b) => rank(a.run) - rank(b.run) || a.index - b.index).map(({ run }) => run);
  }

  const starts = shards.map(({ document }) => Date.parse(document.startedAt)).filter(Number.isFinite);
  const ends = shards.map(({ document }) => Date.parse(document.startedAt) + document.durationMs).filter(Number.isFinite);
  const startedAtMs = starts.length ? Math.min(...starts) : Date.now();
  return {
    summary: {
      startedAt: new Date(startedAtMs).toISOString(),
      // Wall time from the first shard's start to the last one's end: what the parallel jobs cost in time.
      durationMs: ends.length ? Math.max(0, Math.max(...ends) - startedAtMs) : 0,
      artifactsDir,
      interrupted,
      runs: ordered,
      counts: countStatuses(ordered),
    },
    warnings,
  };
}

interface ShardPlan {
  total: number;
  matrix: string[];
  /** Shard indexes 1..total no input came from. */
  absent: number[];
}

function shardPlan(shards: ReadonlyArray<ShardInput>): ShardPlan | undefined {
  const recorded = shards.filter(({ document }) => document.shard !== undefined);
  if (recorded.length === 0) return undefined;
  const first = recorded[0]!;
  const { total, matrix } = first.document.shard!;
  const problems: string[] = [];
  const byIndex = new Map<number, string>();
  for (const { file, document } of recorded) {
    const shard = document.shard!;
    if (shard.total !== total) problems.push(`${first.file} is shard ${first.document.shard!.index}/${total} but ${file} is shard ${shard.index}/${shard.total}`);
    else if (!sameList(shard.matrix, matrix)) problems.push(`${first.file} and ${file} ran different matrices (other scenarios, profiles or commits)`);
    const twice = byIndex.get(shard.index);
    if (twice !== undefined) problems.push(`shard ${shard.index}/${shard.total} is given twice: ${twice} and ${file}`);
    else byIndex.set(shard.index, file);
  }
  if (problems.length) throw new InputError('E_MERGE_MISMATCH', ['these shards do not belong to one run:', ...problems].join('\n'));
  const absent = Array.from({ length: total }, (_, i) => i + 1).filter((index) => !byIndex.has(index));
  return { total, matrix, absent };
}

function missingRun(id: string, runs: ReadonlyArray<RunResult>, plan: ShardPlan, interrupted: boolean, artifactsDir: string): RunResult {
  const at = id.lastIndexOf('@');
  const scenario = at > 0 ? id.slice(0, at) : id;
  const profileName = at > 0 ? id.slice(at + 1) : '';
  const sibling = runs.find((run) => run.scenario === scenario);
  const why = plan.absent.length
    ? `shard ${plan.absent.map((index) => `${index}/${plan.total}`).join(', ')} was not given to pilot merge (did its job run and keep its artifacts?)`
    : 'its shard ended without recording it';
  return {
    id,
    scenario,
    file: sibling?.file ?? '',
    // The id came from a matrix pilot built, so its profile part is a profile name.
    profile: profileName as ProfileName,
    // An interrupted nightly explains the gap; otherwise a run vanished and that is an infrastructure problem.
    status: interrupted ? 'skip' : 'error',
    startedAt: new Date(0).toISOString(),
    durationMs: 0,
    phases: [],
    steps: [],
    failure: interrupted
      ? { code: 'E_ABORTED', message: 'not started: the run was interrupted', evidence: [] }
      : { code: 'E_MERGE_MISSING', message: `no results for this run: ${why}`, evidence: [] },
    artifactsDir,
  };
}

function sameList(a: ReadonlyArray<string>, b: ReadonlyArray<string>): boolean {
  return a.length === b.length && a.every((value, index) => value === b[index]);
}
