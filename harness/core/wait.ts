// Every wait in pilot races three things: its deadline, the death of the machine it waits on, and the run's AbortSignal.
import { AbortedError, InfraError } from './errors.ts';

export interface WaitLimits {
  /** The run's or step's abort signal. */
  signal?: AbortSignal | undefined;
  /** Absolute deadline in Date.now() milliseconds. */
  deadline?: number | undefined;
  /** Promises that reject when something the wait depends on dies (QEMU's exit, a closed SSH session). */
  dies?: ReadonlyArray<Promise<never>> | undefined;
}

/** Thrown when a deadline passes; code E_TIMEOUT unless the caller names a more precise one. */
export class DeadlineError extends InfraError {
  constructor(what: string, ms: number, code = 'E_TIMEOUT') {
    super(code, `${what}: no result within ${formatMs(ms)}`);
  }
}

export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}

/**
 * Settles with `work`, or rejects with whichever of deadline, death or abort comes first.
 * `onTimeout` lets the caller build its own error (e.g. an AssertionFailure for "line never appeared").
 */
export function race<T>(
  work: Promise<T>,
  what: string,
  limits: WaitLimits,
  onTimeout?: () => Error,
): Promise<T> {
  const { signal, deadline, dies = [] } = limits;
  // A loser's rejection is the race's business: left unhandled it would end the process (seen: ssh2's "Not connected"
  // from an exec started as the run was being aborted, after its QEMU was killed).
  work.catch(() => {});
  if (signal?.aborted) return Promise.reject(abortReason(signal, what));
  return new Promise<T>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    const started = Date.now();
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const onAbort = () => finish(() => reject(abortReason(signal!, what)));
    signal?.addEventListener('abort', onAbort, { once: true });
    if (deadline !== undefined) {
      const left = Math.max(0, deadline - Date.now());
      timer = setTimeout(
        () => finish(() => reject(onTimeout ? onTimeout() : new DeadlineError(what, Date.now() - started))),
        left,
      );
    }
    for (const death of dies) death.catch((error) => finish(() => reject(error)));
    work.then(
      (value) => finish(() => resolve(value)),
      (error) => finish(() => reject(error)),
    );
  });
}

export function abortReason(signal: AbortSignal, what: string): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && !(reason.name === 'AbortError')) return reason;
  return new AbortedError(`interrupted while waiting for ${what}`);
}

/** A sleep that wakes early (rejecting) on abort or death. */
export function sleep(ms: number, limits: WaitLimits = {}): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const done = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return race(done, 'sleep', { signal: limits.signal, dies: limits.dies }).finally(() => clearTimeout(timer));
}

/** Picks the earlier of two optional deadlines. */
export function earliest(...deadlines: Array<number | undefined>): number | undefined {
  const set = deadlines.filter((d): d is number => d !== undefined);
  return set.length ? Math.min(...set) : undefined;
}

/** A signal that aborts when any parent aborts; dispose() detaches it so long runs do not leak listeners. */
export function linkedAbort(...parents: Array<AbortSignal | undefined>): AbortController & { dispose(): void } {
  const controller = new AbortController();
  const detach: Array<() => void> = [];
  for (const parent of parents) {
    if (!parent) continue;
    if (parent.aborted) {
      controller.abort(parent.reason);
      break;
    }
    const onAbort = () => controller.abort(parent.reason);
    parent.addEventListener('abort', onAbort, { once: true });
    detach.push(() => parent.removeEventListener('abort', onAbort));
  }
  return Object.assign(controller, { dispose: () => detach.forEach((fn) => fn()) });
}
