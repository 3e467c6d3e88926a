import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InputError } from '../../../harness/core/errors.ts';
import { compareRuns } from '../../../harness/report/compare/compare.ts';
import { COMPARE_SCHEMA_VERSION, readCompareJson, writeCompareJson } from '../../../harness/report/compare/json.ts';
import { everyVerdict } from './fixtures.ts';

let scratch: string;
beforeEach(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'pilot-compare-json-'));
});
afterEach(async () => {
  await rm(scratch, { recursive: true, force: true });
});

const comparison = compareRuns(...everyVerdict);

describe('compare.json', () => {
  it('parses back to the comparison, with its kind and schema version', async () => {
    const path = join(scratch, 'compare.json');
    await writeCompareJson(comparison, path);
    const parsed = JSON.parse(await readFile(path, 'utf8'));
    expect(parsed).toMatchObject({ kind: 'pilot-compare', schemaVersion: COMPARE_SCHEMA_VERSION });
    expect(parsed.counts).toEqual(comparison.counts);
    const regressed = parsed.runs.find((r: { id: string }) => r.id === 'adsp@kvm-el2');
    expect(regressed).toMatchObject({ verdict: 'regressed', baseline: { status: 'pass' }, patched: { status: 'fail', failure: { code: 'F_RPROC_STATE', stepIndex: 1 } } });
    expect(parsed.runs.find((r: { id: string }) => r.id === 'adsp@el1')).toMatchObject({ verdict: 'inconclusive', side: 'patched' });
    expect(await readCompareJson(path)).toEqual(JSON.parse(JSON.stringify({ kind: 'pilot-compare', schemaVersion: COMPARE_SCHEMA_VERSION, ...comparison })));
  });

  it('refuses a results.json or another version, naming the file', async () => {
    const path = join(scratch, 'results.json');
    await writeFile(path, JSON.stringify({ schemaVersion: 1, runs: [] }));
    await expect(readCompareJson(path)).rejects.toThrow(InputError);
    await expect(readCompareJson(path)).rejects.toThrow(`${path}: expected a pilot compare file`);
    await writeFile(path, 'not json');
    await expect(readCompareJson(path)).rejects.toMatchObject({ code: 'E_COMPARE_READ' });
  });
});
