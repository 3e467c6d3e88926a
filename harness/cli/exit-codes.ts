// The exit code of a finished run, decided from its summary and its known issues.
import { isNewFailure } from '../known-issues/match.ts';
import { EXIT } from '../model/exit-codes.ts';
import type { RunSummary } from '../model/results.ts';

export { EXIT };

/**
 * The exit code of `pilot run` and `pilot merge` for a finished summary. An ERROR outranks a FAIL (it makes the run
 * inconclusive); a failure matching an unexpired known issue counts for neither, an expired one counts as new.
 */
export function exitCodeFor(summary: Pick<RunSummary, 'interrupted' | 'runs'>): number {
  if (summary.interrupted) return EXIT.interrupted;
  const fresh = summary.runs.filter(isNewFailure);
  if (fresh.some((run) => run.status === 'error')) return EXIT.error;
  if (fresh.some((run) => run.status === 'fail')) return EXIT.failed;
  return EXIT.passed;
}
