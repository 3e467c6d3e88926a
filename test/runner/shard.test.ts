// Sharding: every run in exactly one shard, the same split whatever the input order, balanced by recorded durations.
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../harness/core/errors.ts';
import { countStatuses, type RunResult } from '../../harness/model/results.ts';
import { writeResultsJson } from '../../harness/report/json.ts';
import { assignShards, loadDurations, parseShardFlag, selectShard } from '../../harness/runner/shard.ts';

const ids = (count: number) => Array.from({ length: count }, (_, i) => ({ id: `scenario-${String(i).padStart(2, '0')}@el1` }));

/** A deterministic shuffle (LCG), so a failure can be replayed. */
function shuffled<T>(items: T[], seed: number): T[] {
  const copy = [...items];
  let state = seed;
  for (let i = copy.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    const j = state % (i + 1);
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

function loads(runs: Array<{ id: string }>, total: number, durations: Map<string, number>, split: (index: number) => Array<{ id: string }>): number[] {
  return Array.from({ length: total }, (_, i) => split(i + 1).reduce((sum, run) => sum + durations.get(run.id)!, 0));
}

describe('parseShardFlag', () => {
  it('reads i/n', () => {
    expect(parseShardFlag('2/3')).toEqual({ index: 2, total: 3 });
    expect(parseShardFlag('1/1')).toEqual({ index: 1, total: 1 });
  });

  it.each(['4/3', '0/3', '1/0', '3', 'a/b', '1/2/3', '-1/2', ''])('rejects %j naming the flag', (value) => {
    expect(() => parseShardFlag(value)).toThrow(InputError);
    expect(() => parseShardFlag(value)).toThrow(`--shard: expected i/n with 1 ≤ i ≤ n, got '${value}'`);
  });
});

describe('selectShard', () => {
  it('puts every run in exactly one shard, for any n', () => {
    const runs = ids(11);
    for (const total of [1, 2, 3, 4, 7, 11]) {
      const shards = Array.from({ length: total }, (_, i) => selectShard(runs, { index: i + 1, total }));
      const all = shards.flat().map((run) => run.id);
      expect(new Set(all).size).toBe(all.length);
      expect(all.sort()).toEqual(runs.map((run) => run.id).sort());
    }
  });

  it('keeps the matrix order inside a shard', () => {
    const runs = ids(9);
    const shard = selectShard(runs, { index: 2, total: 3 });
    const positions = shard.map((run) => runs.indexOf(run));
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
  });

  it('gives the same split whatever order the runs were discovered in', () => {
    const runs = ids(13);
    const durations = new Map(runs.map((run, i) => [run.id, ((i * 7919) % 50) * 1000 + 500]));
    durations.delete(runs[3]!.id);
    const split = (input: Array<{ id: string }>) =>
      Array.from({ length: 4 }, (_, i) => selectShard(input, { index: i + 1, total: 4 }, durations).map((run) => run.id).sort());
    const reference = split(runs);
    for (const seed of [1, 2, 3, 42, 1234]) expect(split(shuffled(runs, seed))).toEqual(reference);
  });

  it('balances skewed durations better than round-robin', () => {
    const runs = ids(10);
    // Two long runs that round-robin puts on the same shard, the rest short.
    const durations = new Map(runs.map((run, i) => [run.id, i === 0 || i === 2 ? 300_000 : 20_000]));
    const greedy = loads(runs, 2, durations, (index) => selectShard(runs, { index, total: 2 }, durations));
    const roundRobin = loads(runs, 2, durations, (index) => runs.filter((_, i) => i % 2 === index - 1));
    expect(Math.max(...greedy)).toBeLessThan(Math.max(...roundRobin));
    expect(Math.max(...greedy) - Math.min(...greedy)).toBeLessThanOrEqual(20_000);
  });

  it('gives runs without a recorded duration the median of the known ones', () => {
    const runs = [{ id: 'a@el1' }, { id: 'b@el1' }, { id: 'c@el1' }, { id: 'new@el1' }];
    const durations = new Map([['a@el1', 100], ['b@el1', 10], ['c@el1', 10]]);
    // Median 10: 'new' weighs 10, so 'a' (100) sits alone and the three light ones share the other shard.
    const assignment = assignShards(runs.map((run) => run.id), 2, durations);
    const withA = assignment.get('a@el1');
    expect(['b@el1', 'c@el1', 'new@el1'].map((id) => assignment.get(id))).toEqual([3 - withA!, 3 - withA!, 3 - withA!]);
  });

  it('splits by count when no duration is known', () => {
    const runs = ids(7);
    const sizes = [1, 2, 3].map((index) => selectShard(runs, { index, total: 3 }).length);
    expect(sizes.sort()).toEqual([2, 2, 3]);
  });

  it('allows an empty shard when there are more shards than runs', () => {
    const runs = ids(2);
    const shards = [1, 2, 3].map((index) => selectShard(runs, { index, total: 3 }));
    expect(shards.map((shard) => shard.length).sort()).toEqual([0, 1, 1]);
  });

  it('refuses a matrix with a run listed twice', () => {
    expect(() => selectShard([{ id: 'a@el1' }, { id: 'a@el1' }], { index: 1, total: 2 })).toThrow(/'a@el1' twice/);
  });
});

describe('loadDurations', () => {
  const run = (id: string, status: RunResult['status'], durationMs: number): RunResult => ({
    id, scenario: id.split('@')[0]!, file: 'x.yaml', profile: 'el1', status, startedAt: '2026-01-01T00:00:00.000Z',
    durationMs, phases: [], steps: [], artifactsDir: '/tmp/x',
  });

  it('reads durations of the runs that ran, from a file or the folder holding it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pilot-durations-'));
    const runs = [run('a@el1', 'pass', 12_000), run('b@el1', 'fail', 30_000), run('c@el1', 'skip', 0), run('d@el1', 'error', 5_000)];
    await mkdir(join(dir, 'latest'));
    await writeResultsJson({ startedAt: '', durationMs: 1, artifactsDir: dir, interrupted: false, runs, counts: countStatuses(runs) }, join(dir, 'latest', 'results.json'));
    const expected = new Map([['a@el1', 12_000], ['b@el1', 30_000], ['d@el1', 5_000]]);
    expect(await loadDurations(join(dir, 'latest', 'results.json'))).toEqual(expected);
    expect(await loadDurations(dir)).toEqual(expected);
  });

  it('names the flag when the file is missing or not a results file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pilot-durations-'));
    await expect(loadDurations(join(dir, 'nope.json'))).rejects.toThrow(/--durations: no such file/);
    await expect(loadDurations(dir)).rejects.toThrow(/holds no results\.json/);
    await writeFile(join(dir, 'other.json'), '{"hello": 1}');
    await expect(loadDurations(join(dir, 'other.json'))).rejects.toThrow(/schemaVersion/);
  });
});
