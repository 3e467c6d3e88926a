import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JsonReporter, RESULTS_SCHEMA_VERSION, readResultsJson, writeResultsJson } from '../../harness/report/json.ts';
import { errorRun, failRun, passRun, planned, summaryOf } from './fixtures.ts';

let scratch: string;
beforeEach(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'pilot-json-'));
});
afterEach(async () => {
  await rm(scratch, { recursive: true, force: true });
});

const readBack = async () => JSON.parse(await readFile(join(scratch, 'results.json'), 'utf8'));

describe('JsonReporter', () => {
  it('leaves partial results after every run and the full summary at the end', async () => {
    let clock = 1_000;
    const reporter = new JsonReporter({ now: () => clock });
    const runs = [failRun, passRun];
    reporter.onBegin({ runs: runs.map((r) => planned(r)), artifactsDir: scratch, jobs: 1 });

    clock = 4_000;
    await reporter.onRunEnd(planned(failRun), failRun);
    let partial = await readBack();
    expect(partial).toMatchObject({ schemaVersion: RESULTS_SCHEMA_VERSION, complete: false, durationMs: 3_000, artifactsDir: scratch });
    expect(partial.runs.map((r: { id: string }) => r.id)).toEqual(['adsp@kvm-el2']);
    expect(partial.counts).toEqual({ pass: 0, fail: 1, error: 0, skip: 0 });

    await reporter.onRunEnd(planned(passRun), passRun);
    partial = await readBack();
    expect(partial.runs.map((r: { id: string }) => r.id)).toEqual(['adsp@kvm-el2', 'boot@el1']);

    const summary = summaryOf(runs, { artifactsDir: scratch });
    await reporter.onEnd(summary);
    expect(await readBack()).toEqual({ schemaVersion: RESULTS_SCHEMA_VERSION, complete: true, ...summary });
    expect(await readdir(scratch)).toEqual(['results.json']);
  });

  it('lands the newest snapshot last when runs end back to back', async () => {
    const reporter = new JsonReporter();
    reporter.onBegin({ runs: [], artifactsDir: scratch, jobs: 3 });
    const writes = [failRun, passRun, errorRun].map((r) => reporter.onRunEnd(planned(r), r));
    await Promise.all(writes);
    expect((await readBack()).runs).toHaveLength(3);
  });

  it('rejects the write with an infrastructure error when the folder cannot be written', async () => {
    const notAFolder = join(scratch, 'file');
    await writeFile(notAFolder, 'x');
    const reporter = new JsonReporter();
    reporter.onBegin({ runs: [], artifactsDir: notAFolder, jobs: 1 });
    await expect(reporter.onRunEnd(planned(failRun), failRun)).rejects.toMatchObject({ code: 'E_REPORT_WRITE' });
  });
});

describe('results.json round trip', () => {
  it('keeps control characters of kernel evidence intact', async () => {
    const path = join(scratch, 'results.json');
    await writeResultsJson(summaryOf([errorRun]), path);
    const back = await readResultsJson(path);
    expect(back.runs[0]!.failure!.evidence).toEqual(errorRun.failure!.evidence); // JSON.stringify escapes even a lone surrogate
    expect(back.complete).toBe(true);
  });

  it('refuses a file from another schema version', async () => {
    const path = join(scratch, 'results.json');
    await writeFile(path, JSON.stringify({ schemaVersion: 99, runs: [] }));
    await expect(readResultsJson(path)).rejects.toMatchObject({ code: 'E_RESULTS_VERSION' });
  });
});
