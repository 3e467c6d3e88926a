// Words for a run's known-issue mark, shared so the console, JUnit and the merge summary say the same thing.
import type { RunResult } from '../model/results.ts';
import { isFailing } from './match.ts';

/** Failing, and covered by an entry that has not expired: reported apart from new failures. */
export function isKnownFailure(run: RunResult): boolean {
  return isFailing(run) && run.known !== undefined && !run.known.expired;
}

/** `known issue https://… (until 2026-12-31, known-issues.yaml:2:5)`, or the expired form; undefined for an unmarked run. */
export function describeKnown(run: RunResult): string | undefined {
  const known = run.known;
  if (!known) return undefined;
  if (known.expired) return `known issue EXPIRED on ${known.expires}, so this counts as new: ${known.link} (${known.source})`;
  const reason = known.reason ? `: ${known.reason}` : '';
  return `known issue ${known.link} (until ${known.expires}, ${known.source})${reason}`;
}

/** The line that tied the run to its entry, and where it was found. */
export function describeKnownEvidence(run: RunResult): string | undefined {
  const known = run.known;
  return known ? `matched /${known.pattern}/ in ${known.matchedIn === 'failure' ? "the failure's evidence" : 'dmesg.log'}: ${known.matched}` : undefined;
}
