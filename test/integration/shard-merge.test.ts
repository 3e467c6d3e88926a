// Real boots: the boot scenarios run whole, then as two shards balanced by the whole run's durations, then merged.
// The merge must say what the unsharded run said: the same runs, in the same order, with the same step outcomes.
import { access, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readResultsJson, type ResultsDocument } from '../../harness/report/json.ts';
import { junitParser } from '../report/junit-parser.ts';
import { readFile } from 'node:fs/promises';
import { artifactsBase, latestResults, startPilot } from './support/pilot-cli.ts';

const BOOT_SCENARIOS = ['scenarios/boot-kvm-el2.yaml', 'scenarios/boot-xen-el1.yaml', 'scenarios/boot-el1.yaml'];

/** What a run concluded, without the times and paths that differ between any two runs. */
function outcome(results: ResultsDocument) {
  return results.runs.map((run) => ({ id: run.id, status: run.status, steps: run.steps.map((step) => `${step.index} ${step.status} ${step.title}`) }));
}

describe('pilot run --shard and pilot merge on real boots', { timeout: 1_200_000 }, () => {
  it('two shards merged give the results of one unsharded run', async () => {
    const whole = await artifactsBase();
    const unshardedRun = await startPilot(['run', ...BOOT_SCENARIOS, '--artifacts', whole]);
    expect(unshardedRun.exitCode, unshardedRun.all).toBe(0);
    const unsharded = await latestResults(whole);
    expect(unsharded.runs).toHaveLength(3);
    expect(unsharded.shard).toBeUndefined();

    const base = await artifactsBase();
    const durations = join(whole, 'latest', 'results.json');
    const shards: ResultsDocument[] = [];
    // One after the other: the host's two cores are shared.
    for (const index of [1, 2]) {
      const run = await startPilot(['run', ...BOOT_SCENARIOS, '--shard', `${index}/2`, '--durations', durations, '--artifacts', join(base, `shard-${index}`)]);
      expect(run.exitCode, run.all).toBe(0);
      shards.push(await latestResults(join(base, `shard-${index}`)));
    }
    for (const [position, shard] of shards.entries()) {
      expect(shard.shard).toEqual({ index: position + 1, total: 2, matrix: unsharded.runs.map((run) => run.id) });
    }
    // Three runs over two shards: one holds two, the other one, and together they hold each run once.
    expect(shards.map((shard) => shard.runs.length).sort()).toEqual([1, 2]);
    expect(shards.flatMap((shard) => shard.runs.map((run) => run.id)).sort()).toEqual(unsharded.runs.map((run) => run.id).sort());

    const out = join(base, 'merged');
    const merge = await startPilot(['merge', join(base, 'shard-1'), join(base, 'shard-2'), '-o', out]);
    expect(merge.exitCode, merge.all).toBe(0);
    const merged = await readResultsJson(join(out, 'results.json'));
    expect(outcome(merged)).toEqual(outcome(unsharded));
    expect(merged.counts).toEqual(unsharded.counts);
    expect(merged.interrupted).toBe(false);
    for (const run of merged.runs) await access(join(run.artifactsDir, 'dmesg.log'));

    const junit = junitParser.parse(await readFile(join(out, 'junit.xml'), 'utf8'));
    const unshardedJunit = junitParser.parse(await readFile(join(whole, 'latest', 'junit.xml'), 'utf8'));
    const cases = (doc: any) => doc.testsuites.testsuite.flatMap((suite: any) => suite.testcase.map((tc: any) => `${suite.name} ${tc.classname} ${'failure' in tc || 'error' in tc ? 'bad' : 'ok'}`));
    expect(cases(junit)).toEqual(cases(unshardedJunit));
  });

  it('a failure matching a known issue is reported KNOWN and does not fail the run', async () => {
    const base = await artifactsBase();
    const known = join(base, 'known-issues.yaml');
    await writeFile(known, `known-issues:\n  - scenario: absent-boot-line\n    dmesg: 'Booting Linux on physical CPU'\n    link: https://bugs.example.org/1\n    expires: 2999-12-31\n`);
    const run = await startPilot(['run', 'test/fixtures/integration/absent-boot-line.yaml', '--known-issues', known, '--artifacts', base]);
    expect(run.exitCode, run.all).toBe(0);
    expect(run.all).toMatch(/1 failed \(1 known\)/);
    const [result] = (await latestResults(base)).runs;
    expect(result).toMatchObject({ status: 'fail', known: { link: 'https://bugs.example.org/1', matchedIn: 'failure', expired: false, source: `${known}:2:5` } });
    expect(result!.known!.matched).toMatch(/Booting Linux on physical CPU/);
  });

  it('a shard left with no runs boots nothing and still records its share', async () => {
    const base = await artifactsBase();
    // One run over two shards: the run goes to shard 1, shard 2 is empty.
    const run = await startPilot(['run', 'scenarios/boot-el1.yaml', '--shard', '2/2', '--artifacts', base]);
    expect(run.exitCode, run.all).toBe(0);
    const results = await latestResults(base);
    expect(results.runs).toEqual([]);
    expect(results.shard).toEqual({ index: 2, total: 2, matrix: ['boot-el1@el1'] });
  });
});
