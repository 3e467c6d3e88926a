// Words for statuses and failures, shared so the console and JUnit say the same thing about a run.
import { formatMs } from '../core/wait.ts';
import type { FailureInfo, RunResult, Status, StepResult } from '../model/results.ts';

export const STATUS_LABEL: Readonly<Record<Status, string>> = { pass: 'PASS', fail: 'FAIL', error: 'ERROR', skip: 'SKIP' };
export const STATUS_MARK: Readonly<Record<Status, string>> = { pass: '✔', fail: '✘', error: '!', skip: '-' };

/** FAIL and ERROR must never read alike: one blames the kernel, the other exonerates it. */
export const STATUS_MEANING: Readonly<Record<Status, string>> = {
  pass: 'every assertion held',
  fail: 'the kernel did not do what was asserted',
  error: 'the harness or machine broke; this says nothing about the kernel',
  skip: 'not run',
};

export interface FailureDescription {
  /** Where it happened: `at step 3 "expect-dmesg …" (scenarios/a.yaml:14)` or `before any step, during kernel-boot`. */
  where: string;
  /** `CODE: message`, or undefined when the run carries no failure record. */
  headline: string | undefined;
  /** Evidence lines, cut to the limit, with a last line saying how many were left out. */
  evidence: string[];
  hint: string | undefined;
}

/** The step that decided a non-passing run, and the failure record to show for it. */
export function decidingFailure(run: RunResult): { step: StepResult | undefined; failure: FailureInfo | undefined } {
  const failed = (s: StepResult) => s.status === 'fail' || s.status === 'error';
  const step = run.steps.find((s) => s.status === run.status && failed(s)) ?? run.steps.find(failed);
  return { step, failure: run.failure ?? step?.failure };
}

/** `phaseInProgress` is the last phase the reporter saw begin; without it, the last phase the result recorded is named. */
export function describeFailure(run: RunResult, evidenceLimit: number, phaseInProgress?: string): FailureDescription {
  const { step, failure } = decidingFailure(run);
  return {
    where: step ? `at ${describeStep(run, step)}` : describeOutsideSteps(run, phaseInProgress),
    headline: failure ? `${failure.code}: ${failure.message}` : undefined,
    evidence: failure ? capLines(evidenceLines(failure.evidence), evidenceLimit) : [],
    hint: failure?.hint,
  };
}

export function describeStep(run: RunResult, step: StepResult): string {
  const location = step.line === undefined ? run.file : `${run.file}:${step.line}`;
  return `step ${step.index + 1} "${step.title}" (${location})`;
}

function describeOutsideSteps(run: RunResult, phaseInProgress: string | undefined): string {
  const when = run.steps.some((s) => s.status !== 'skip') ? 'outside any step' : 'before any step';
  if (phaseInProgress) return `${when}, during ${phaseInProgress}`;
  // Phases are recorded as they end, so the last one recorded may be the one before the failure.
  const lastRecorded = run.phases.at(-1);
  return lastRecorded ? `${when}; last phase recorded: ${lastRecorded.name}` : when;
}

/** Evidence entries may hold several lines (a serial tail); a report shows them one per line. */
export function evidenceLines(evidence: ReadonlyArray<string>): string[] {
  return evidence.flatMap((entry) => entry.replace(/\r\n?/g, '\n').replace(/\n$/, '').split('\n'));
}

export function capLines(lines: string[], limit: number): string[] {
  if (lines.length <= limit) return lines;
  const left = lines.length - limit;
  return [...lines.slice(0, limit), `… ${left} more line${left === 1 ? '' : 's'} in the run's artifacts`];
}

/** `PASS adsp@kvm-el2 (12.4 s)` plus the failure headline for the rest. */
export function describeRunOutcome(run: RunResult): { label: string; duration: string; headline: string | undefined } {
  const { failure } = decidingFailure(run);
  return {
    label: STATUS_LABEL[run.status],
    duration: formatMs(run.durationMs),
    headline: run.status === 'pass' || !failure ? describeAttempts(run) : `${failure.code}: ${firstLine(failure.message)}`,
  };
}

/** `flaky: passed on attempt 2 after E_SSH_LOST`, or for a run still failing, how many attempts it took; undefined without retries. */
export function describeAttempts(run: RunResult): string | undefined {
  const attempts = run.attempts;
  if (!attempts?.length) return undefined;
  const codes = [...new Set(attempts.map((attempt) => attempt.failure?.code ?? 'ERROR'))].join(', ');
  return run.flaky ? `flaky: passed on attempt ${attempts.length + 1} after ${codes}` : `after ${attempts.length + 1} attempts (${codes} before)`;
}

export function firstLine(text: string): string {
  const end = text.search(/\r?\n/);
  return end === -1 ? text : `${text.slice(0, end)} …`;
}
