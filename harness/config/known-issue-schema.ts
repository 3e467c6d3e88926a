// The known-issues entry, defined once for the shared file and for a scenario's own `known-issues:` key.
import { z } from 'zod';
import { PROFILE_NAMES, type ProfileName } from '../model/profile.ts';
import { describeValue, oneOrMany, regexSource } from './fields.ts';

export const KNOWN_ISSUES_KEY = 'known-issues';
const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/** A real calendar day written YYYY-MM-DD (2026-02-30 is refused, not rolled over to March). */
export function isCalendarDate(value: string): boolean {
  if (!DATE_PATTERN.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return Number.isFinite(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

function isHttpLink(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== '';
  } catch {
    return false;
  }
}

const scenarioName = z
  .string()
  .regex(/^[a-z0-9-]+$/, { error: (issue) => `expected a scenario name (lowercase letters, digits and '-'), got ${describeValue(issue.input)}` })
  .describe('The scenario the failure belongs to.');

const fields = {
  profiles: oneOrMany(z.enum(PROFILE_NAMES)).optional().describe('Profiles the failure happens on (one or a list). Default: all.'),
  dmesg: regexSource
    .refine((value) => value.length > 0, { error: 'expected a non-empty regular expression' })
    .describe("A regex matched against each line of the failure's message and evidence, and of the run's dmesg.log."),
  // A refine rather than z.url(): its `format: uri` would make strict JSON Schema validators refuse the schema.
  link: z
    .string()
    .refine(isHttpLink, { error: (issue) => `expected an http(s) link to the bug report, got ${describeValue(issue.input)}` })
    .describe('Where the failure is tracked: an http(s) link.'),
  expires: z
    .string({
      error: (issue) =>
        issue.input === undefined ? 'required key is missing; expected the last day the entry holds, YYYY-MM-DD' : `expected a date written YYYY-MM-DD, got ${describeValue(issue.input)}`,
    })
    .refine(isCalendarDate, { error: (issue) => `expected a date written YYYY-MM-DD, got ${describeValue(issue.input)}` })
    .describe('The last day the entry holds; after it a matching failure counts as new again.'),
  reason: z.string().trim().min(1).optional().describe('Why the failure is tolerated, for people.'),
};

/** In a scenario file the scenario is implied; written anyway, it must be the scenario's own name. */
export const scenarioKnownIssueSchema = z
  .strictObject({ scenario: scenarioName.optional(), ...fields })
  .describe('A known failure of this scenario: matched by profile and a dmesg regex, with a link and an expiry date.');

export const fileKnownIssueSchema = z
  .strictObject({ scenario: scenarioName, ...fields })
  .describe('A known failure: matched by scenario, profile and a dmesg regex, with a link and an expiry date.');

export const knownIssuesFileSchema = z
  .strictObject({ [KNOWN_ISSUES_KEY]: z.array(fileKnownIssueSchema).describe('Known failures, each with a link and an expiry date.') })
  .meta({ title: 'pilot known issues' });

export type ScenarioKnownIssueEntry = z.output<typeof scenarioKnownIssueSchema>;

/** One entry, wherever it was written, ready to match. */
export interface KnownIssue {
  scenario: string;
  /** Undefined: every profile. */
  profiles: ProfileName[] | undefined;
  /** Regex source. */
  dmesg: string;
  link: string;
  /** YYYY-MM-DD, the last day the entry holds. */
  expires: string;
  reason: string | undefined;
  /** file:line:col of the entry. */
  source: string;
}

/** One entry as matching uses it, wherever it was written. */
export function knownIssueOf(entry: ScenarioKnownIssueEntry, scenario: string, at: { file: string; line: number; column: number }): KnownIssue {
  return {
    scenario,
    profiles: entry.profiles,
    dmesg: entry.dmesg,
    link: entry.link,
    expires: entry.expires,
    reason: entry.reason,
    source: `${at.file}:${at.line}:${at.column}`,
  };
}
