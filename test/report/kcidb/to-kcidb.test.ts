import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readResultsJson } from '../../../harness/report/json.ts';
import { createKcidbReporter } from '../../../harness/report/kcidb/reporter.ts';
import { toKcidb, type KcidbDocument, type KcidbOptions, type KcidbTest } from '../../../harness/report/kcidb/to-kcidb.ts';
import type { RunResult } from '../../../harness/model/results.ts';
import { errorRun, failRun, passRun, skipRun, step, summaryOf } from '../fixtures.ts';
import { kcidbValidator } from './kcidb-validator.ts';

const validate = kcidbValidator();

const options: KcidbOptions = {
  kernel: { release: '6.1.0-56-arm64', version: '6.1.174-1', imageSha256: 'ab'.repeat(32), configName: 'debian-arm64' },
};

/** Ctrl-C during step 2: that step is an error, the rest were never reached. */
const interruptedRun: RunResult = {
  ...passRun,
  id: 'soc-bringup@xen-el1',
  scenario: 'soc-bringup',
  profile: 'xen-el1',
  status: 'error',
  steps: [
    step(0, 'expect-rproc adsp running'),
    step(1, 'iris open decoder', { status: 'error', failure: { code: 'E_ABORTED', message: 'interrupted', evidence: [] } }),
    step(2, 'expect-dmesg no fault', { status: 'skip', durationMs: 0 }),
  ],
  failure: { code: 'E_ABORTED', message: 'interrupted', evidence: [] },
  artifactsDir: '/tmp/pilot-artifacts/soc-bringup@xen-el1',
};

const summary = summaryOf([passRun, failRun, errorRun, skipRun, interruptedRun], { interrupted: true });

function testsOf(document: KcidbDocument, runId: string): { run: KcidbTest; steps: KcidbTest[] } {
  const run = document.tests.find((test) => (test.misc as { pilot_run?: string }).pilot_run === runId)!;
  return { run, steps: document.tests.filter((test) => test.id.startsWith(`${run.id}-s`)) };
}

describe('toKcidb', () => {
  it('produces a document the published KCIDB schema accepts, for every status pilot has', () => {
    const document = toKcidb(summary, { ...options, artifactsUrl: 'https://ci.example.org/pilot/job-42/' });
    expect(validate(document)).toEqual([]);
    expect(document.version).toEqual({ major: 5, minor: 3 });
    expect(document.tests.length).toBe(5 + 1 + 4 + 1 + 0 + 3);
  });

  it('maps run statuses as documented: pass PASS, fail FAIL, error ERROR, never started MISS', () => {
    const document = toKcidb(summary, options);
    expect(testsOf(document, passRun.id).run.status).toBe('PASS');
    expect(testsOf(document, failRun.id).run.status).toBe('FAIL');
    expect(testsOf(document, errorRun.id).run.status).toBe('ERROR');
    expect(testsOf(document, skipRun.id).run.status).toBe('MISS');
    expect(testsOf(document, interruptedRun.id).run.status).toBe('ERROR');
  });

  it('maps unreached steps to SKIP after a FAIL and to MISS after an ERROR or an interrupt', () => {
    const document = toKcidb(summary, options);
    expect(testsOf(document, failRun.id).steps.map((test) => test.status)).toEqual(['PASS', 'PASS', 'FAIL', 'SKIP']);
    expect(testsOf(document, errorRun.id).steps.map((test) => test.status)).toEqual(['MISS']);
    expect(testsOf(document, interruptedRun.id).steps.map((test) => test.status)).toEqual(['PASS', 'ERROR', 'MISS']);
  });

  it('gives every object a unique id under its origin and links tests to the build and the build to the checkout', () => {
    const document = toKcidb(summary, { ...options, origin: 'qcom_lab' });
    const ids = [...document.checkouts, ...document.builds, ...document.tests].map((object) => object.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id.startsWith('qcom_lab:')).toBe(true);
    expect(document.builds[0]!.checkout_id).toBe(document.checkouts[0]!.id);
    for (const test of document.tests) expect(test.build_id).toBe(document.builds[0]!.id);
  });

  it('keeps ids stable for the same input and distinct for another run start', () => {
    const again = toKcidb(summary, options);
    expect(toKcidb(summary, options)).toEqual(again);
    const later = toKcidb({ ...summary, startedAt: '2025-03-02T10:00:00.000Z' }, options);
    expect(later.tests[0]!.id).not.toBe(again.tests[0]!.id);
    expect(later.builds[0]!.id).toBe(again.builds[0]!.id);
  });

  it('uses dot-separated paths: pilot.<scenario> and pilot.<scenario>.sNN-<kind>, with the profile in the environment', () => {
    const document = toKcidb(summary, options);
    const fail = testsOf(document, failRun.id);
    expect(fail.run.path).toBe('pilot.adsp');
    expect(fail.steps.map((test) => test.path)).toEqual(['pilot.adsp.s01-expect-el', 'pilot.adsp.s02-rproc', 'pilot.adsp.s03-expect-dmesg', 'pilot.adsp.s04-rproc']);
    expect(fail.steps[2]!.comment).toBe(failRun.steps[2]!.title);
    expect((fail.run.environment as { misc: { profile: string } }).misc.profile).toBe('kvm-el2');
    // A dot inside a scenario name would invent a level in the tree.
    expect(testsOf(document, skipRun.id).run.path).toBe('pilot.iris_decoder');
  });

  it('carries the failure code in misc and the failure text, without NUL, as the log excerpt', () => {
    const document = toKcidb(summary, options);
    const error = testsOf(document, errorRun.id).run;
    expect((error.misc as { failure_code: string }).failure_code).toBe('E_QEMU_EXIT');
    expect(error.log_excerpt).toContain('E_QEMU_EXIT: QEMU exited');
    expect(error.log_excerpt).not.toContain('\0');
    expect(testsOf(document, failRun.id).steps[2]!.log_excerpt).toContain('event 0x10 received #11');
  });

  it('writes log_url only when the artifacts are published, pointing at the run console and step logs', () => {
    expect(toKcidb(summary, options).tests.some((test) => 'log_url' in test)).toBe(false);
    const document = toKcidb(summary, { ...options, artifactsUrl: 'https://ci.example.org/a/' });
    const fail = testsOf(document, failRun.id);
    expect(fail.run.log_url).toBe('https://ci.example.org/a/adsp%40kvm-el2/serial.log');
    expect(fail.steps[2]!.log_url).toBe('https://ci.example.org/a/adsp%40kvm-el2/steps/03-expect-dmesg.dmesg');
    expect('log_url' in fail.steps[3]!).toBe(false);
  });

  it('describes the kernel in the checkout and build, with git facts when given', () => {
    const commit = '0123456789abcdef0123456789abcdef01234567';
    const document = toKcidb(summary, {
      kernel: { ...options.kernel, git: { repositoryUrl: 'https://git.kernel.org/pub/scm/linux/kernel/git/torvalds/linux.git', commit, branch: 'master' } },
    });
    expect(validate(document)).toEqual([]);
    expect(document.checkouts[0]).toMatchObject({ id: `pilot:checkout-${commit}`, git_commit_hash: commit, git_repository_branch: 'master' });
    expect(document.builds[0]).toMatchObject({ architecture: 'arm64', config_name: 'debian-arm64', status: 'PASS' });
  });

  it('refuses options that would make an invalid document', () => {
    expect(() => toKcidb(summary, { ...options, origin: 'Pilot-CI' })).toThrow(expect.objectContaining({ code: 'E_KCIDB_ORIGIN' }));
    expect(() => toKcidb(summary, { kernel: { release: 'x', git: { commit: 'abc123' } } })).toThrow(expect.objectContaining({ code: 'E_KCIDB_GIT' }));
    expect(() => toKcidb(summary, { kernel: { release: 'x', git: { repositoryUrl: 'git://x/y' } } })).toThrow(expect.objectContaining({ code: 'E_KCIDB_GIT' }));
  });

  it('converts a results.json from a real `pilot run scenarios/boot-el1.yaml` into a valid document', async () => {
    const results = await readResultsJson(join(import.meta.dirname, '../../fixtures/kcidb/results-boot-el1.json'));
    const document = toKcidb(results, options);
    expect(validate(document)).toEqual([]);
    const run = testsOf(document, 'boot-el1@el1');
    expect(run.run.status).toBe('PASS');
    expect(run.steps.map((test) => test.comment)).toEqual(results.runs[0]!.steps.map((s) => s.title));
  });
});

describe('the KCIDB schema validator (negative controls)', () => {
  const good = () => structuredClone(toKcidb(summary, options)) as unknown as {
    version: { major: number };
    builds: Array<Record<string, unknown>>;
    tests: Array<Record<string, unknown>>;
  };

  it('rejects a status KCIDB does not define', () => {
    const document = good();
    document.tests[0]!.status = 'pass';
    expect(validate(document).join('\n')).toMatch(/\/tests\/0\/status/);
  });

  it('rejects an origin with capitals, a test without build_id, a path with spaces and the wrong major version', () => {
    const cases: Array<(document: ReturnType<typeof good>) => void> = [
      (document) => void (document.tests[0]!.origin = 'Pilot'),
      (document) => void delete document.tests[0]!.build_id,
      (document) => void (document.tests[0]!.path = 'pilot.boot el1'),
      (document) => void (document.version.major = 4),
      (document) => void (document.builds[0]!.start_time = 'yesterday'),
      (document) => void (document.tests[1]!.unknown_field = 1),
    ];
    for (const breakIt of cases) {
      const document = good();
      breakIt(document);
      expect(validate(document).length, String(breakIt)).toBeGreaterThan(0);
    }
  });
});

describe('createKcidbReporter', () => {
  it('writes the document at the end of the run', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'pilot-kcidb-'));
    const path = join(folder, 'out.json');
    const reporter = createKcidbReporter(path, options);
    await reporter.onEnd!(summary);
    const written = JSON.parse(await readFile(path, 'utf8')) as KcidbDocument;
    expect(written).toEqual(toKcidb(summary, options));
    expect(validate(written)).toEqual([]);
    await rm(folder, { recursive: true });
  });
});
