// How a run's or a comparison's outcome maps to one of pilot's exit codes (model/exit-codes.ts), known issues considered.
import { isNewFailure } from '../known-issues/match.ts';
import { EXIT } from '../model/exit-codes.ts';
import type { RunSummary } from '../model/results.ts';
import { comparedCount, type Comparison } from '../report/compare/compare.ts';

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

/**
 * 1 on any regression. Otherwise 0, except 2 when not a single pair could be compared (every one inconclusive, skipped,
 * new or gone, or none at all): a CI job must not read "nothing was learnt" as "no regression".
 */
export function compareExitCode(comparison: Comparison): number {
  if (comparison.counts.regressed > 0) return EXIT.failed;
  return comparedCount(comparison) === 0 ? EXIT.error : EXIT.passed;
}

/** What `git bisect run` reads: 0 good, 1 bad, 125 skip. Only a FAIL blames the commit; anything inconclusive skips it. */
export const BISECT_SKIP = 125;

export function bisectExitCode(code: number): number {
  return code === EXIT.passed || code === EXIT.failed ? code : BISECT_SKIP;
}
