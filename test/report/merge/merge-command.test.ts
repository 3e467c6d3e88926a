// `pilot merge` as CI runs it: shard folders in, results.json and junit.xml out, the exit code pilot run would give.
import { execa } from 'execa';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readResultsJson, writeResultsJson } from '../../../harness/report/json.ts';
import type { RunResult } from '../../../harness/model/results.ts';
import { selectShard, shardRecord } from '../../../harness/runner/shard.ts';
import { failRun, passRun, summaryOf } from '../fixtures.ts';
import { junitParser } from '../junit-parser.ts';

const REPO = resolve(import.meta.dirname, '../../..');
const MATRIX: RunResult[] = [passRun, failRun, { ...passRun, id: 'boot@kvm-el2', profile: 'kvm-el2' }];

function pilot(args: string[], cwd: string) {
  return execa('node', [join(REPO, 'bin/pilot.mjs'), ...args], { reject: false, all: true, cwd, env: { CI: 'true', NO_COLOR: '1' } });
}

async function writeShards(root: string): Promise<void> {
  for (const index of [1, 2]) {
    const runs = selectShard(MATRIX, { index, total: 2 });
    const dir = join(root, `shard-${index}`, '20261121-020000');
    await mkdir(dir, { recursive: true });
    await writeResultsJson({ ...summaryOf(runs), shard: shardRecord({ index, total: 2 }, MATRIX) }, join(dir, 'results.json'));
  }
}

describe('pilot merge', { timeout: 60_000 }, () => {
  it('writes the merged results.json and junit.xml and exits 1 for a new failure', async () => {
    const root = await mkdtemp(join(tmpdir(), 'pilot-merge-cli-'));
    await writeShards(root);
    const result = await pilot(['merge', 'shard-1', 'shard-2', '-o', 'nightly'], root);
    expect(result.exitCode, result.all).toBe(1);
    const merged = await readResultsJson(join(root, 'nightly', 'results.json'));
    expect(merged.complete).toBe(true);
    expect(merged.runs.map((run) => `${run.id}:${run.status}`)).toEqual(['boot@el1:pass', 'adsp@kvm-el2:fail', 'boot@kvm-el2:pass']);
    expect(merged.counts).toEqual({ pass: 2, fail: 1, error: 0, skip: 0 });
    const junit = junitParser.parse(await readFile(join(root, 'nightly', 'junit.xml'), 'utf8'));
    expect(junit.testsuites.tests).toBe('3');
    expect(junit.testsuites.failures).toBe('1');
    expect(result.all).toMatch(/Summary: 3 runs .*2 passed, 1 failed, 0 errors/);
  });

  it('exits 0 when the only failure is a known issue, and says so in every report', async () => {
    const root = await mkdtemp(join(tmpdir(), 'pilot-merge-cli-'));
    await writeShards(root);
    await writeFile(
      join(root, 'known.yaml'),
      `known-issues:\n  - { scenario: adsp, profiles: [kvm-el2], dmesg: 'event 0x10 received', link: "https://bugs.example.org/1", expires: 2999-01-01 }\n`,
    );
    const result = await pilot(['merge', '.', '--known-issues', 'known.yaml', '-o', 'nightly'], root);
    expect(result.exitCode, result.all).toBe(0);
    expect(result.all).toMatch(/1 failed \(1 known\)/);
    expect(result.all).toMatch(/Known failures, not counted as new \(1\):\n.*adsp@kvm-el2 — known issue https:\/\/bugs\.example\.org\/1 \(until 2999-01-01, known\.yaml:2:5\)/);
    const merged = await readResultsJson(join(root, 'nightly', 'results.json'));
    expect(merged.runs.find((run) => run.id === 'adsp@kvm-el2')).toMatchObject({ status: 'fail', known: { link: 'https://bugs.example.org/1', expired: false } });
    const junit = junitParser.parse(await readFile(join(root, 'nightly', 'junit.xml'), 'utf8'));
    const testcase = junit.testsuites.testsuite.flatMap((suite: { testcase: unknown[] }) => suite.testcase).find((tc: { classname: string; name: string }) => tc.classname === 'kvm-el2' && tc.name === 'adsp');
    expect(testcase.failure.message).toMatch(/^KNOWN \(https:\/\/bugs\.example\.org\/1\) F_DMESG_FORBIDDEN/);
  });

  it('counts a failure matched by an expired entry as new and says the entry expired', async () => {
    const root = await mkdtemp(join(tmpdir(), 'pilot-merge-cli-'));
    await writeShards(root);
    await writeFile(join(root, 'known-issues.yaml'), `known-issues:\n  - { scenario: adsp, dmesg: 'event 0x10', link: "https://bugs.example.org/2", expires: 2020-01-01 }\n`);
    const result = await pilot(['merge', 'shard-1', 'shard-2', '-o', 'nightly'], root);
    expect(result.exitCode, result.all).toBe(1);
    expect(result.all).toMatch(/known-issues\.yaml:2:5: known issue for adsp expired on 2020-01-01/);
    expect(result.all).toMatch(/known issue EXPIRED on 2020-01-01, so this counts as new/);
  });

  it('refuses a run given twice with exit 2, naming both files, and reads a file named twice once', async () => {
    const root = await mkdtemp(join(tmpdir(), 'pilot-merge-cli-'));
    await writeShards(root);
    const once = await pilot(['merge', 'shard-1', 'shard-2', 'shard-1/20261121-020000/results.json', '-o', 'nightly'], root);
    expect(once.exitCode, once.all).toBe(1);
    await mkdir(join(root, 'retry'));
    await writeFile(join(root, 'retry', 'results.json'), await readFile(join(root, 'shard-1', '20261121-020000', 'results.json')));
    const result = await pilot(['merge', 'shard-1', 'shard-2', 'retry', '-o', 'nightly'], root);
    expect(result.exitCode).toBe(2);
    expect(result.all).toMatch(/E_MERGE_DUPLICATE: a run may come from one shard only:\n.*is in both shard-1\/20261121-020000\/results.json and retry\/results.json/);
  });
});
