// --retries: an ERROR is run again and kept, a FAIL never is, a pass after an ERROR is flaky in every report.
import { mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../harness/model/results.ts';
import { ConsoleReporter } from '../../harness/report/console.ts';
import { renderJunit } from '../../harness/report/junit.ts';
import { toKcidb } from '../../harness/report/kcidb/to-kcidb.ts';
import { createReporterMux } from '../../harness/report/multiplexer.ts';
import type { Reporter } from '../../harness/report/reporter.ts';
import { runWithRetries, shouldRetry } from '../../harness/runner/retry.ts';
import { captureStream, passRun, planned, summaryOf } from '../report/fixtures.ts';
import { junitParser } from '../report/junit-parser.ts';

const sshLost = { code: 'E_SSH_LOST', message: 'the SSH connection to the guest dropped', evidence: [] };

/** Attempts that end as `statuses` say, each writing a marker into the run's folder so kept artifacts can be told apart. */
async function scripted(root: string, statuses: Array<RunResult['status']>) {
  let calls = 0;
  const events: string[] = [];
  const recorder: Reporter = {
    onRunBegin: (run) => events.push(`begin ${run.id}`),
    onPhase: (_run, phase) => events.push(`phase ${phase}`),
    onRunEnd: (_run, result) => events.push(`end ${result.status}${result.flaky ? ' flaky' : ''}`),
  };
  const reporter = createReporterMux([recorder]);
  const attempt = async (attemptReporter: Required<Reporter>): Promise<RunResult> => {
    const status = statuses[calls++]!;
    const dir = join(root, passRun.id);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'serial.log'), `attempt ${calls}\n`);
    attemptReporter.onRunBegin(planned(passRun));
    const result: RunResult = { ...passRun, status, artifactsDir: dir, ...(status === 'pass' ? {} : { failure: status === 'error' ? sshLost : { code: 'F_DMESG_MISSING', message: 'no line', evidence: [] } }) };
    attemptReporter.onRunEnd(planned(passRun), result);
    return result;
  };
  return { reporter, events, attempt, calls: () => calls };
}

describe('runWithRetries', () => {
  it('runs an ERROR again, keeps the failed attempt beside the final one, and marks a pass after it flaky', async () => {
    const root = await mkdtemp(join(tmpdir(), 'pilot-retry-'));
    const script = await scripted(root, ['error', 'error', 'pass']);
    const result = await runWithRetries({ planned: planned(passRun), retries: 2, reporter: script.reporter, signal: new AbortController().signal, attempt: script.attempt });
    expect(result.status).toBe('pass');
    expect(result.flaky).toBe(true);
    expect(result.attempts?.map((attempt) => [attempt.attempt, attempt.status, attempt.failure?.code])).toEqual([[1, 'error', 'E_SSH_LOST'], [2, 'error', 'E_SSH_LOST']]);
    expect((await readdir(root)).sort()).toEqual([passRun.id, `${passRun.id}.attempt-1`, `${passRun.id}.attempt-2`]);
    // Reporters see one run: begun once, two retries as phases, ended once with the deciding attempt.
    expect(script.events).toEqual(['begin boot@el1', 'phase retry 1/2 after E_SSH_LOST', 'phase retry 2/2 after E_SSH_LOST', 'end pass flaky']);
  });

  it('never runs a FAIL again: the kernel answered', async () => {
    const root = await mkdtemp(join(tmpdir(), 'pilot-retry-'));
    const script = await scripted(root, ['fail', 'pass']);
    const result = await runWithRetries({ planned: planned(passRun), retries: 3, reporter: script.reporter, signal: new AbortController().signal, attempt: script.attempt });
    expect([result.status, script.calls(), result.attempts]).toEqual(['fail', 1, undefined]);
  });

  it('stops at the retry limit with the last ERROR, every attempt kept; and never retries once interrupted', async () => {
    const root = await mkdtemp(join(tmpdir(), 'pilot-retry-'));
    const script = await scripted(root, ['error', 'error']);
    const result = await runWithRetries({ planned: planned(passRun), retries: 1, reporter: script.reporter, signal: new AbortController().signal, attempt: script.attempt });
    expect([result.status, result.flaky, result.attempts?.length]).toEqual(['error', undefined, 1]);
    const aborted = new AbortController();
    aborted.abort();
    expect(shouldRetry({ ...passRun, status: 'error', failure: sshLost }, aborted.signal)).toBe(false);
    expect(shouldRetry({ ...passRun, status: 'error', failure: { ...sshLost, code: 'E_ABORTED' } }, new AbortController().signal)).toBe(false);
  });
});

describe('a flaky run in the reports', () => {
  const flaky: RunResult = {
    ...passRun,
    flaky: true,
    attempts: [{ attempt: 1, status: 'error', durationMs: 4000, failure: sshLost, artifactsDir: '/tmp/pilot-artifacts/boot@el1.attempt-1' }],
  };

  it('console: the result line and a Flaky section name the attempt and the earlier error', () => {
    const { stream, text } = captureStream({ isTTY: false });
    const reporter = new ConsoleReporter({ stream, isTTY: false, env: {} });
    reporter.onBegin({ runs: [planned(flaky)], artifactsDir: '/tmp/pilot-artifacts', jobs: 1 });
    reporter.onRunEnd(planned(flaky), flaky);
    reporter.onEnd(summaryOf([flaky]));
    expect(text()).toMatch(/PASS\s+boot@el1 .*flaky: passed on attempt 2 after E_SSH_LOST/);
    expect(text()).toMatch(/Flaky, passed after an ERROR \(1\):\nboot@el1 — flaky: passed on attempt 2 after E_SSH_LOST; earlier attempts in \/tmp\/pilot-artifacts\/boot@el1\.attempt-1/);
  });

  it('JUnit: a passing testcase with a flakyError per earlier attempt (the Surefire rerun format)', () => {
    const testcase = junitParser.parse(renderJunit(summaryOf([flaky]), { hostname: 'h' })).testsuites.testsuite[0].testcase[0];
    expect(testcase.failure).toBeUndefined();
    expect(testcase.error).toBeUndefined();
    expect(testcase.flakyError).toMatchObject({ type: 'E_SSH_LOST', message: 'E_SSH_LOST: the SSH connection to the guest dropped' });
  });

  it('KCIDB: PASS, with the attempts and flaky in misc', () => {
    const test = toKcidb(summaryOf([flaky]), { kernel: { release: '6.1.0-56-arm64' } }).tests!.find((entry) => (entry.misc as Record<string, unknown> | undefined)?.pilot_run === 'boot@el1')!;
    expect(test.status).toBe('PASS');
    expect(test.misc).toMatchObject({ flaky: true, attempts: 2, earlier_failure_codes: ['E_SSH_LOST'] });
  });
});
