// Marks failing runs that match a known issue: status untouched, a `known` record added, an expired entry flagged as new again.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KnownIssueMatch, RunResult } from '../model/results.ts';
import type { KnownIssue } from '../config/known-issue-schema.ts';
import { DMESG_LOG } from '../model/artifact-names.ts';

/** Today in UTC as YYYY-MM-DD, so a nightly run decides expiry the same way on every runner. */
export function todayUtc(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}

/** The expiry date is the last day the entry holds. */
export function isExpired(issue: Pick<KnownIssue, 'expires'>, today: string): boolean {
  return issue.expires < today;
}

export function isFailing(run: RunResult): boolean {
  return run.status === 'fail' || run.status === 'error';
}

/** A failure that needs a person: failing and not covered by an unexpired known issue. */
export function isNewFailure(run: RunResult): boolean {
  return isFailing(run) && (run.known === undefined || run.known.expired);
}

export function appliesTo(issue: KnownIssue, run: Pick<RunResult, 'scenario' | 'profile'>): boolean {
  return issue.scenario === run.scenario && (issue.profiles === undefined || issue.profiles.includes(run.profile));
}

/** Every line the run's own failure records say: messages and evidence, the run's first, then each step's. */
export function failureLines(run: RunResult): string[] {
  const failures = [run.failure, ...run.steps.map((step) => step.failure)].filter((failure) => failure !== undefined);
  return failures.flatMap((failure) => [failure.message, ...failure.evidence].flatMap((text) => text.split(/\r?\n/)));
}

/**
 * The known issue a failing run matches, or undefined. An unexpired entry wins over an expired one; among equals,
 * the first listed. The failure's own lines are searched before the whole dmesg.log.
 */
export function matchKnownIssue(run: RunResult, issues: ReadonlyArray<KnownIssue>, today: string, dmesgLog?: string): KnownIssueMatch | undefined {
  if (!isFailing(run)) return undefined;
  const candidates = issues.filter((issue) => appliesTo(issue, run));
  if (candidates.length === 0) return undefined;
  const ordered = [...candidates.filter((issue) => !isExpired(issue, today)), ...candidates.filter((issue) => isExpired(issue, today))];
  const ownLines = failureLines(run);
  const logLines = dmesgLog === undefined ? [] : dmesgLog.split(/\r?\n/);
  for (const issue of ordered) {
    const pattern = new RegExp(issue.dmesg);
    const inFailure = ownLines.find((line) => pattern.test(line));
    const found = inFailure !== undefined ? { line: inFailure, where: 'failure' as const } : findIn(logLines, pattern);
    if (!found) continue;
    return {
      link: issue.link,
      expires: issue.expires,
      pattern: issue.dmesg,
      source: issue.source,
      ...(issue.reason === undefined ? {} : { reason: issue.reason }),
      matched: found.line,
      matchedIn: found.where,
      expired: isExpired(issue, today),
    };
  }
  return undefined;
}

function findIn(lines: string[], pattern: RegExp): { line: string; where: 'dmesg.log' } | undefined {
  const line = lines.find((candidate) => pattern.test(candidate));
  return line === undefined ? undefined : { line, where: 'dmesg.log' };
}

export interface ApplyKnownIssuesOptions {
  /** YYYY-MM-DD; todayUtc() by default. */
  today?: string;
  /** The run's whole kernel log; by default <artifactsDir>/dmesg.log, undefined when it cannot be read. */
  readDmesg?: (run: RunResult) => Promise<string | undefined>;
}

/** New RunResults with `known` set where a failing run matches; the others are returned as they are. */
export async function applyKnownIssues(
  runs: ReadonlyArray<RunResult>,
  issues: ReadonlyArray<KnownIssue>,
  options: ApplyKnownIssuesOptions = {},
): Promise<RunResult[]> {
  const today = options.today ?? todayUtc();
  const readDmesg = options.readDmesg ?? readRunDmesg;
  return Promise.all(
    runs.map(async (run) => {
      if (!isFailing(run) || run.known !== undefined || !issues.some((issue) => appliesTo(issue, run))) return run;
      const known = matchKnownIssue(run, issues, today, await readDmesg(run));
      return known ? { ...run, known } : run;
    }),
  );
}

async function readRunDmesg(run: RunResult): Promise<string | undefined> {
  return readFile(join(run.artifactsDir, DMESG_LOG), 'utf8').catch(() => undefined);
}

/** Entries past their date, matched or not, so a report can ask for them to be reviewed. */
export function expiredKnownIssues(issues: ReadonlyArray<KnownIssue>, today: string): KnownIssue[] {
  return issues.filter((issue) => isExpired(issue, today));
}

/** One line per expired entry, for stderr or a report. */
export function describeExpired(issue: KnownIssue): string {
  return `${issue.source}: known issue for ${issue.scenario} expired on ${issue.expires} (${issue.link}); failures it matched count as new again: fix, extend or remove it`;
}
