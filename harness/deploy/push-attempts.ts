// Runs a push attempt again from the start when its channel dropped, a bounded number of times, racing deadline, death and abort.
import { InfraError } from '../core/errors.ts';
import { formatMs, race, type WaitLimits } from '../core/wait.ts';
import { StreamDropped } from './stream-command.ts';

export interface AttemptLimits extends WaitLimits {
  attempts: number;
  /** Named in errors: "pushing /boot/Image". */
  what: string;
  timeoutMs: number;
}

/** A failure worth a fresh attempt: the channel or the connection went away, nothing the data or the target decided. */
export function isDroppedConnection(error: unknown): boolean {
  if (error instanceof StreamDropped) return true;
  return error instanceof InfraError && (error.code === 'E_SSH_CHANNEL' || error.code === 'E_SSH_LOST');
}

/**
 * Calls attempt(n, signal) until one succeeds. A dropped connection is retried; any other failure ends it at once.
 * The attempt's own signal aborts when the deadline, a death or the caller's abort wins, so it can close its channel.
 */
export async function withPushAttempts<T>(limits: AttemptLimits, attempt: (attemptNo: number, signal: AbortSignal) => Promise<T>): Promise<T> {
  const reasons: string[] = [];
  for (let attemptNo = 1; attemptNo <= limits.attempts; attemptNo++) {
    const cancel = new AbortController();
    const settled = attempt(attemptNo, cancel.signal).then(
      (value) => ({ ok: true as const, value }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    let outcome: Awaited<typeof settled>;
    try {
      outcome = await race(settled, limits.what, limits, () =>
        new InfraError('E_PUSH_TIMEOUT', `${limits.what} did not finish within ${formatMs(limits.timeoutMs)}`, {
          evidence: reasons.map((reason, n) => `attempt ${n + 1}: ${reason}`),
        }),
      );
    } catch (error) {
      cancel.abort(error);
      throw error;
    }
    if (outcome.ok) return outcome.value;
    if (!isDroppedConnection(outcome.error)) throw outcome.error;
    reasons.push(outcome.error instanceof Error ? outcome.error.message : String(outcome.error));
  }
  const listed = reasons.map((reason, n) => `attempt ${n + 1}: ${reason}`).join('; ');
  throw new InfraError('E_PUSH_FAILED', `${limits.what} failed ${limits.attempts} times, the connection dropping each time (${listed})`, {
    evidence: reasons.map((reason, n) => `attempt ${n + 1}: ${reason}`),
  });
}
