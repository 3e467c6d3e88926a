// Re-runs a run that ended in ERROR (never one that FAILed), keeping every attempt's artifacts; a pass after an ERROR is flaky.
import { rename } from 'node:fs/promises';
import type { AttemptRecord, RunResult } from '../model/results.ts';
import type { PlannedRun, Reporter } from '../report/reporter.ts';

export interface RetryInput {
  planned: PlannedRun;
  /** Re-runs allowed after an ERROR; 0 runs once. */
  retries: number;
  reporter: Required<Reporter>;
  signal: AbortSignal;
  /**
   * Runs one attempt with the reporter it must use; its artifacts land in the run's folder. `lastChance`: no ERROR of
   * this attempt will be retried (a FAIL never is), so what it leaves behind is the run's own.
   */
  attempt(reporter: Required<Reporter>, lastChance: boolean): Promise<RunResult>;
}

/** Only an infrastructure error is worth another try: a FAIL is the kernel's answer, and an interrupt is the user's. */
export function shouldRetry(result: RunResult, signal: AbortSignal): boolean {
  return result.status === 'error' && !signal.aborted && result.failure?.code !== 'E_ABORTED';
}

/** The earlier attempt's folder beside the final one: `<id>.attempt-1`, `<id>.attempt-2`… */
export function attemptDir(runDir: string, attempt: number): string {
  return `${runDir}.attempt-${attempt}`;
}

export async function runWithRetries(input: RetryInput): Promise<RunResult> {
  const { planned, reporter } = input;
  const earlier: AttemptRecord[] = [];
  for (let attempt = 1; ; attempt++) {
    const last = attempt > input.retries;
    // Reporters see one run: begun once, ended once with the deciding attempt; a retried attempt shows as a phase.
    const quiet: Required<Reporter> = {
      ...reporter,
      onRunBegin: attempt === 1 ? reporter.onRunBegin : () => undefined,
      onRunEnd: () => undefined,
    };
    const result = await input.attempt(quiet, last);
    if (last || !shouldRetry(result, input.signal)) {
      const final: RunResult = earlier.length
        ? { ...result, attempts: earlier, ...(result.status === 'pass' ? { flaky: true } : {}) }
        : result;
      reporter.onRunEnd(planned, final);
      return final;
    }
    const keptDir = attemptDir(result.artifactsDir, attempt);
    await rename(result.artifactsDir, keptDir);
    earlier.push({
      attempt,
      status: result.status,
      durationMs: result.durationMs,
      artifactsDir: keptDir,
      ...(result.failure ? { failure: { code: result.failure.code, message: result.failure.message } } : {}),
    });
    reporter.onPhase(planned, `retry ${attempt}/${input.retries} after ${result.failure?.code ?? 'an error'}`);
  }
}
