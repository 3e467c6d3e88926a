// Field schemas shared by the scenario and every step kind, so a duration or a regex is checked, described and reported the same way everywhere.
import { z } from 'zod';
import { parseDuration } from '../core/duration.ts';
import { regexProblem, textPatternProblem } from './text-pattern.ts';

/** How a value read from YAML reads in an error message. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return String(value);
}

/** Same grammar as harness/core/duration.ts parseDuration: a bare number of seconds, or parts like 1m30s, 500ms. */
export const DURATION_PATTERN = /^\s*(?:\d+(?:\.\d+)?|(?:\d+(?:\.\d+)?(?:ms|s|m|h))+)\s*$/;

const durationError = (issue: { input?: unknown }) =>
  `expected a duration like 30s, 3m or 500ms, got ${describeValue(issue.input)}`;

/** A duration written "30s", "3m", "1m30s", "500ms" or as a bare number of seconds; parses to milliseconds. */
export const duration = z
  .union(
    [
      z.string({ error: durationError }).regex(DURATION_PATTERN, { error: durationError }),
      z.number({ error: durationError }).nonnegative({ error: durationError }),
    ],
    { error: durationError },
  )
  .transform((value) => parseDuration(value) ?? 0)
  .meta({ description: 'A duration: "30s", "3m", "1m30s", "500ms", or a bare number of seconds.' });

/** A JavaScript regular expression source, checked at load time so a bad one points at its line. */
export const regexSource = z
  .string()
  .superRefine((value, context) => {
    const problem = regexProblem(value);
    if (problem) context.addIssue({ code: 'custom', message: `expected a valid regular expression, got ${describeValue(value)}: ${problem}` });
  })
  .meta({ format: 'regex', description: 'A JavaScript regular expression, matched anywhere in the line.' });

/** Text a line matches by containing it or by matching it as a regex; /source/flags (flags from i, m, s, u) is a regex only. */
export const textPattern = z
  .string()
  .min(1)
  .superRefine((value, context) => {
    const problem = textPatternProblem(value);
    if (problem) context.addIssue({ code: 'custom', message: `expected a valid /regex/, got ${describeValue(value)}: ${problem}` });
  })
  .meta({
    description: 'A line matches when it contains this text or matches it as a regular expression; write /source/flags for a regex only.',
  });

/** One item or a list of them; always a list after parsing. */
export function oneOrMany<T extends z.ZodType>(item: T) {
  return z.union([item, z.array(item).min(1)]).transform((value) => (Array.isArray(value) ? value : [value]) as Array<z.output<T>>);
}
