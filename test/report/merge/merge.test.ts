// Merging shard summaries: the same runs, order and counts as one unsharded run; every inconsistency refused or shown.
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../harness/core/errors.ts';
import { writeResultsJson, type ResultsDocument } from '../../../harness/report/json.ts';
import { findResultsFiles } from '../../../harness/report/merge/discover.ts';
import { mergeSummaries, type ShardInput } from '../../../harness/report/merge/merge.ts';
import { readShards } from '../../../harness/report/merge/read.ts';
import { countStatuses, type RunResult } from '../../../harness/model/results.ts';
import { selectShard, shardRecord } from '../../../harness/runner/shard.ts';
import { errorRun, failRun, passRun, skipRun, summaryOf } from '../fixtures.ts';

const MATRIX: RunResult[] = [
  passRun,
  failRun,
  errorRun,
  skipRun,
  { ...passRun, id: 'boot@kvm-el2', profile: 'kvm-el2', startedAt: '2025-03-01T10:05:00.000Z', durationMs: 30_000 },
];

function shardDocument(index: number, total: number, runs: RunResult[], overrides: Partial<ResultsDocument> = {}): ResultsDocument {
  const mine = selectShard(runs, { index, total });
  return {
    schemaVersion: 1,
    complete: true,
    ...summaryOf(mine, { startedAt: `2025-03-01T10:0${index}:00.000Z`, durationMs: 60_000 * index, artifactsDir: `/ci/shard-${index}` }),
    shard: shardRecord({ index, total }, runs),
    ...overrides,
  };
}

const inputs = (total: number, runs = MATRIX): ShardInput[] =>
  Array.from({ length: total }, (_, i) => ({ file: `shard-${i + 1}/results.json`, document: shardDocument(i + 1, total, runs) }));

describe('mergeSummaries', () => {
  it('gives the runs, order and counts of the unsharded run, for any split', () => {
    for (const total of [1, 2, 3, 5, 7]) {
      const shards = inputs(total);
      // Order of the inputs must not matter either.
      const { summary, warnings } = mergeSummaries([...shards].reverse(), '/out');
      expect(summary.runs).toEqual(MATRIX);
      expect(summary.counts).toEqual(countStatuses(MATRIX));
      expect(summary.interrupted).toBe(false);
      expect(summary.artifactsDir).toBe('/out');
      expect(summary.shard).toBeUndefined();
      expect(warnings).toEqual([]);
    }
  });

  it('spans from the first shard start to the last shard end', () => {
    const { summary } = mergeSummaries(inputs(3), '/out');
    expect(summary.startedAt).toBe('2025-03-01T10:01:00.000Z');
    // Shard 3 starts at 10:03 and lasts 3 minutes: 10:06, five minutes after the first start.
    expect(summary.durationMs).toBe(5 * 60_000);
  });

  it('refuses a run reported twice, naming both files', () => {
    const shards = inputs(2);
    const copy: ShardInput = { file: 'elsewhere/results.json', document: { ...shards[0]!.document, shard: undefined } };
    const attempt = () => mergeSummaries([...shards, copy], '/out');
    expect(attempt).toThrow(InputError);
    expect(attempt).toThrow(new RegExp(`run '${shards[0]!.document.runs[0]!.id}' is in both shard-1/results.json and elsewhere/results.json`));
  });

  it('refuses shards of different splits, different matrices, or one shard given twice', () => {
    const [one, two] = inputs(2);
    const ofThree = inputs(3)[1]!;
    expect(() => mergeSummaries([one!, { ...ofThree, document: { ...ofThree.document, runs: [] } }], '/out')).toThrow(/shard 1\/2 but shard-2\/results.json is shard 2\/3/);
    const otherMatrix = { ...two!, document: { ...two!.document, shard: { ...two!.document.shard!, matrix: ['x@el1'] } } };
    expect(() => mergeSummaries([one!, otherMatrix], '/out')).toThrow(/ran different matrices/);
    const again = { file: 'again/results.json', document: { ...one!.document, runs: [] } };
    expect(() => mergeSummaries([one!, two!, again], '/out')).toThrow(/shard 1\/2 is given twice: shard-1\/results.json and again\/results.json/);
  });

  it('reports the runs of a shard that never arrived as ERRORs naming it', () => {
    const shards = inputs(2);
    const { summary } = mergeSummaries([shards[0]!], '/out');
    const lost = selectShard(MATRIX, { index: 2, total: 2 }).map((run) => run.id);
    expect(lost.length).toBeGreaterThan(0);
    expect(summary.runs.map((run) => run.id)).toEqual(MATRIX.map((run) => run.id));
    for (const run of summary.runs.filter((r) => lost.includes(r.id))) {
      expect(run.status).toBe('error');
      expect(run.failure).toMatchObject({ code: 'E_MERGE_MISSING', message: expect.stringContaining('shard 2/2 was not given to pilot merge') });
    }
    expect(summary.counts.error).toBe(countStatuses(MATRIX).error + lost.filter((id) => MATRIX.find((r) => r.id === id)!.status !== 'error').length);
  });

  it('marks the merge interrupted when a shard was, and its unfinished runs skipped', () => {
    const [one, two] = inputs(2);
    const cut = { ...two!, document: { ...two!.document, interrupted: true, complete: true, runs: two!.document.runs.slice(1) } };
    const { summary } = mergeSummaries([one!, cut], '/out');
    expect(summary.interrupted).toBe(true);
    const unfinished = summary.runs.find((run) => run.id === two!.document.runs[0]!.id)!;
    expect(unfinished).toMatchObject({ status: 'skip', failure: { code: 'E_ABORTED' } });
  });

  it('warns about a results file pilot never finished', () => {
    const [one, two] = inputs(2);
    const { warnings } = mergeSummaries([one!, { ...two!, document: { ...two!.document, complete: false } }], '/out');
    expect(warnings).toEqual([expect.stringMatching(/^shard-2\/results.json: pilot ended before finishing/)]);
  });

  it('keeps the order of the inputs when they carry no shard record', () => {
    const a: ShardInput = { file: 'a.json', document: { schemaVersion: 1, complete: true, ...summaryOf([failRun, passRun]) } };
    const b: ShardInput = { file: 'b.json', document: { schemaVersion: 1, complete: true, ...summaryOf([errorRun]) } };
    expect(mergeSummaries([a, b], '/out').summary.runs.map((run) => run.id)).toEqual([failRun.id, passRun.id, errorRun.id]);
  });
});

describe('reading shards from CI downloads', () => {
  it('finds results.json under folders, not through latest, and points runs at where their folders now are', async () => {
    const root = await mkdtemp(join(tmpdir(), 'pilot-merge-'));
    const [one, two] = inputs(2);
    for (const [index, shard] of [one!, two!].entries()) {
      const stamp = join(root, `pilot-shard-${index + 1}`, '20261121-020000');
      await mkdir(stamp, { recursive: true });
      await writeResultsJson(shard.document, join(stamp, 'results.json'), true);
      for (const run of shard.document.runs) await mkdir(join(stamp, run.artifactsDir.split('/').at(-1)!));
      // What upload-artifact makes of the `latest` link: a second copy.
      await mkdir(join(root, `pilot-shard-${index + 1}`, 'latest'));
      await writeResultsJson(shard.document, join(root, `pilot-shard-${index + 1}`, 'latest', 'results.json'), true);
    }
    await symlink(join(root, 'pilot-shard-1'), join(root, 'link-to-shard-1'));
    const files = await findResultsFiles([root]);
    expect(files).toEqual([join(root, 'pilot-shard-1/20261121-020000/results.json'), join(root, 'pilot-shard-2/20261121-020000/results.json')]);
    const shards = await readShards(files);
    const moved = shards.flatMap((shard) => shard.document.runs).find((run) => run.id === failRun.id)!;
    expect(moved.artifactsDir).toMatch(new RegExp(`^${root}/pilot-shard-\\d/20261121-020000/adsp@kvm-el2$`));
  });

  it('keeps a recorded path that still exists, and refuses inputs that hold nothing', async () => {
    const root = await mkdtemp(join(tmpdir(), 'pilot-merge-'));
    const runDir = join(root, 'kept');
    await mkdir(runDir);
    const document: ResultsDocument = { schemaVersion: 1, complete: true, ...summaryOf([{ ...passRun, artifactsDir: runDir }]) };
    await writeResultsJson(document, join(root, 'results.json'), true);
    const [shard] = await readShards([join(root, 'results.json')]);
    expect(shard!.document.runs[0]!.artifactsDir).toBe(runDir);

    await mkdir(join(root, 'empty'));
    await expect(findResultsFiles([join(root, 'empty')])).rejects.toThrow(/no results.json under/);
    await expect(findResultsFiles([join(root, 'nope')])).rejects.toThrow(/no such file or folder/);
    await expect(findResultsFiles([])).rejects.toThrow(/name the shard folders/);
    await writeFile(join(root, 'junk.json'), '[]');
    await expect(readShards([join(root, 'junk.json')])).rejects.toThrow(/expected a pilot results file/);
  });
});
