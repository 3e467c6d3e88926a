// Splits the scenario × profile matrix into n shards for parallel CI jobs: stable across machines, balanced by recorded durations.
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../core/errors.ts';
import { median } from '../core/stats.ts';
import { readResultsJson } from '../report/json.ts';
import { RESULTS_JSON } from '../model/artifact-names.ts';

export interface ShardSpec {
  /** 1-based. */
  index: number;
  total: number;
}

/** A run's weight when no earlier duration is known for any run of the matrix: all equal, so shards balance by count. */
const UNIFORM_WEIGHT_MS = 60_000;

/** `--shard i/n` with 1 ≤ i ≤ n. */
export function parseShardFlag(value: string, flag = '--shard'): ShardSpec {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(value);
  const index = match ? Number(match[1]) : NaN;
  const total = match ? Number(match[2]) : NaN;
  if (!match || total < 1 || index < 1 || index > total) {
    throw new InputError('E_BAD_FLAG', `${flag}: expected i/n with 1 ≤ i ≤ n, got '${value}'`);
  }
  return { index, total };
}

/**
 * Which shard (1-based) each run id goes to. Depends only on the ids and the durations given, never on their order:
 * heaviest first (ties by id), each to the least loaded shard (ties to the lowest index), the LPT rule.
 */
export function assignShards(ids: ReadonlyArray<string>, total: number, durations: ReadonlyMap<string, number> = new Map()): Map<string, number> {
  if (!Number.isInteger(total) || total < 1) throw new InputError('E_BAD_FLAG', `shard count must be a positive integer, got ${total}`);
  const unique = new Set(ids);
  if (unique.size !== ids.length) {
    const twice = ids.find((id, position) => ids.indexOf(id) !== position);
    throw new InputError('E_SHARD_DUPLICATE', `cannot shard a matrix that lists run '${twice}' twice`);
  }
  const weights = runWeights([...unique], durations);
  const order = [...unique].sort((a, b) => weights.get(b)! - weights.get(a)! || compareIds(a, b));
  const loads = new Array<number>(total).fill(0);
  const assignment = new Map<string, number>();
  for (const id of order) {
    let lightest = 0;
    for (let shard = 1; shard < total; shard++) if (loads[shard]! < loads[lightest]!) lightest = shard;
    loads[lightest] = loads[lightest]! + weights.get(id)!;
    assignment.set(id, lightest + 1);
  }
  return assignment;
}

/** The runs of shard `index`/`total`, in the order given (the matrix order); a shard may be empty when n exceeds the runs. */
export function selectShard<T extends { id: string }>(runs: ReadonlyArray<T>, shard: ShardSpec, durations?: ReadonlyMap<string, number>): T[] {
  const assignment = assignShards(
    runs.map((run) => run.id),
    shard.total,
    durations,
  );
  return runs.filter((run) => assignment.get(run.id) === shard.index);
}

/** Known durations as they are; unknown ones get the median of the known ones in this matrix, so a new scenario counts as typical. */
function runWeights(ids: string[], durations: ReadonlyMap<string, number>): Map<string, number> {
  const known = ids.map((id) => durations.get(id)).filter((ms): ms is number => ms !== undefined && Number.isFinite(ms) && ms > 0);
  const fallback = known.length ? median(known) : UNIFORM_WEIGHT_MS;
  return new Map(ids.map((id) => {
    const ms = durations.get(id);
    return [id, ms !== undefined && Number.isFinite(ms) && ms > 0 ? ms : fallback];
  }));
}

/** Code-unit order, not localeCompare: the same on every machine whatever its locale. */
function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Run durations from an earlier results.json (a shard's or a merged one), or a folder holding one (directly or in latest/).
 * Skipped runs are left out: their 0 ms says nothing about how long they take.
 */
export async function loadDurations(path: string): Promise<Map<string, number>> {
  const file = await resultsFileAt(path);
  const document = await readResultsJson(file);
  const durations = new Map<string, number>();
  for (const run of document.runs) {
    if (run.status !== 'skip' && typeof run.durationMs === 'number' && run.durationMs > 0) durations.set(run.id, run.durationMs);
  }
  return durations;
}

async function resultsFileAt(path: string): Promise<string> {
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new InputError('E_DURATIONS_READ', `--durations: no such file or folder: ${path}`);
  if (!info.isDirectory()) return path;
  for (const candidate of [join(path, RESULTS_JSON), join(path, 'latest', RESULTS_JSON)]) {
    if (await readFile(candidate).then(() => true, () => false)) return candidate;
  }
  throw new InputError('E_DURATIONS_READ', `--durations: ${path} holds no results.json (nor latest/results.json)`);
}

/** What a shard records in its results.json so `pilot merge` can order runs and notice runs no shard reported. */
export function shardRecord(shard: ShardSpec, matrix: ReadonlyArray<{ id: string }>): { index: number; total: number; matrix: string[] } {
  return { index: shard.index, total: shard.total, matrix: matrix.map((run) => run.id) };
}
