// Fans every hook out to all reporters in order; a broken reporter is reported once per hook and never stops the run.
import type { Reporter } from './reporter.ts';

export type ReporterHook = Exclude<keyof Reporter, 'name'>;
export type ReporterErrorHandler = (name: string, hook: ReporterHook, error: unknown) => void;

export function createReporterMux(
  reporters: Reporter[],
  onReporterError: ReporterErrorHandler = writeReporterErrorToStderr,
): Required<Reporter> {
  const names = reporters.map(reporterName);
  const alreadyReported = new Set<string>();

  const report = (position: number, hook: ReporterHook, error: unknown): void => {
    const key = `${position}:${hook}`;
    if (alreadyReported.has(key)) return;
    alreadyReported.add(key);
    try {
      onReporterError(names[position]!, hook, error);
    } catch {
      // The error handler itself failing must not take the run down either.
    }
  };

  /** Calls a hook on every reporter; a sync hook that returns a promise (an async reporter) still has its rejection caught. */
  const fanOut = <H extends ReporterHook>(hook: H, args: Parameters<Required<Reporter>[H]>): void => {
    reporters.forEach((reporter, position) => {
      const fn = reporter[hook] as ((...a: unknown[]) => unknown) | undefined;
      if (!fn) return;
      try {
        const returned = fn.apply(reporter, args);
        if (isThenable(returned)) returned.then(undefined, (error: unknown) => report(position, hook, error));
      } catch (error) {
        report(position, hook, error);
      }
    });
  };

  /** Awaits each reporter in turn so output stays ordered; never rejects. */
  const fanOutAsync = async <H extends 'onBegin' | 'onEnd'>(hook: H, args: Parameters<Required<Reporter>[H]>): Promise<void> => {
    for (const [position, reporter] of reporters.entries()) {
      const fn = reporter[hook] as ((...a: unknown[]) => unknown) | undefined;
      if (!fn) continue;
      try {
        await fn.apply(reporter, args);
      } catch (error) {
        report(position, hook, error);
      }
    }
  };

  return {
    name: 'multiplexer',
    onBegin: (plan) => fanOutAsync('onBegin', [plan]),
    onRunBegin: (run) => fanOut('onRunBegin', [run]),
    onPhase: (run, phase) => fanOut('onPhase', [run, phase]),
    onProgress: (run, phase, detail, done) => fanOut('onProgress', [run, phase, detail, done]),
    onStepBegin: (run, index, title) => fanOut('onStepBegin', [run, index, title]),
    onStepEnd: (run, step) => fanOut('onStepEnd', [run, step]),
    onConsole: (run, chunk) => fanOut('onConsole', [run, chunk]),
    onRunEnd: (run, result) => fanOut('onRunEnd', [run, result]),
    onNotice: (run, lines) => fanOut('onNotice', [run, lines]),
    onEnd: (summary) => fanOutAsync('onEnd', [summary]),
  };
}

function reporterName(reporter: Reporter, position: number): string {
  if (reporter.name) return reporter.name;
  const className = Object.getPrototypeOf(reporter)?.constructor?.name;
  return className && className !== 'Object' ? className : `reporter #${position + 1}`;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}

function writeReporterErrorToStderr(name: string, hook: ReporterHook, error: unknown): void {
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(
    `pilot: reporter "${name}" failed in ${hook} (the run goes on; later failures of this hook are not repeated):\n${detail}\n`,
  );
}
