// Turns zod's validation issues into one plain sentence per problem, placed at the YAML key or value it is about.
import { closest, distance } from 'fastest-levenshtein';
import type { z } from 'zod';
import { describeValue } from './fields.ts';
import type { DataPath, Placement } from './yaml-source.ts';

type Issue = z.core.$ZodIssue;
type RawIssue = z.core.$ZodRawIssue;

/** zod's default union message is replaced by this marker, so the loader can tell custom union messages (durations) apart. */
const UNION_MARKER = '\u0000union';

export interface PlacedProblem {
  path: DataPath;
  placement: Placement;
  message: string;
  /** unknown-key: with the key it suggests; missing-key; check: a custom check on a whole mapping. */
  origin?: { kind: 'unknown-key'; suggested: string | undefined } | { kind: 'missing-key' } | { kind: 'check' };
}

/**
 * Per-parse messages in the form "expected …, got …". Schema-level messages (durations, regexes, names) take precedence.
 * For unknown keys it also records the keys the object allows, so the loader can suggest the closest one.
 */
export function scenarioErrorMap(issue: RawIssue): string | undefined {
  const got = describeValue(issue.input);
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return `required key is missing; expected ${noun(issue.expected)}`;
      return `expected ${noun(issue.expected)}, got ${got}`;
    case 'invalid_value': {
      const values = issue.values.map((value) => (typeof value === 'string' ? value : JSON.stringify(value)));
      const hint = typeof issue.input === 'string' ? suggestion(issue.input, values) : '';
      return `expected ${values.length === 1 ? values[0] : `one of ${values.join(', ')}`}, got ${got}${hint}`;
    }
    case 'too_small':
      return `expected ${bound(issue.origin, issue.minimum, issue.inclusive, 'min')}, got ${sizeOf(issue.input, got)}`;
    case 'too_big':
      return `expected ${bound(issue.origin, issue.maximum, issue.inclusive, 'max')}, got ${sizeOf(issue.input, got)}`;
    case 'invalid_format':
      return `expected ${issue.format === 'regex' && issue.pattern ? `text matching ${issue.pattern}` : `a valid ${issue.format}`}, got ${got}`;
    case 'not_multiple_of':
      return `expected a multiple of ${String(issue.divisor)}, got ${got}`;
    case 'unrecognized_keys': {
      const shape = (issue.inst as { _zod?: { def?: { shape?: Record<string, unknown> } } } | undefined)?._zod?.def?.shape;
      // finalizeIssue copies the raw issue's own properties, so this survives into the reported issue.
      (issue as RawIssue & { allowedKeys?: string[] }).allowedKeys = shape ? Object.keys(shape) : [];
      return 'unknown key';
    }
    case 'invalid_union':
      return UNION_MARKER;
    default:
      return undefined;
  }
}

function noun(expected: string): string {
  const nouns: Record<string, string> = {
    string: 'text',
    number: 'a number',
    int: 'a whole number',
    boolean: 'true or false',
    object: 'a mapping',
    array: 'a list',
  };
  return nouns[expected] ?? expected;
}

function bound(origin: string, limit: unknown, inclusive: boolean | undefined, side: 'min' | 'max'): string {
  const n = Number(limit);
  if (origin === 'array' && side === 'min') return n <= 1 ? 'a non-empty list' : `a list of at least ${n} items`;
  if (origin === 'array') return `a list of at most ${n} items`;
  if (origin === 'string' && side === 'min') return n <= 1 ? 'non-empty text' : `text of at least ${n} characters`;
  if (origin === 'string') return `text of at most ${n} characters`;
  const comparison = side === 'min' ? (inclusive === false ? 'more than' : 'at least') : inclusive === false ? 'less than' : 'at most';
  return `${comparison} ${n}`;
}

function sizeOf(input: unknown, got: string): string {
  if (Array.isArray(input)) return input.length === 0 ? 'an empty list' : `${input.length} items`;
  if (input === '') return 'empty text';
  return got;
}

/** The candidate close enough to `word` to be a plausible typo of it. */
export function closeMatch(word: string, candidates: ReadonlyArray<string>): string | undefined {
  if (candidates.length === 0) return undefined;
  const best = closest(word, [...candidates]);
  return distance(word, best) <= Math.max(2, Math.floor(best.length / 3)) ? best : undefined;
}

/** "; did you mean 'x'?" when one candidate is close enough to be a plausible typo. */
export function suggestion(word: string, candidates: ReadonlyArray<string>): string {
  const best = closeMatch(word, candidates);
  return best === undefined ? '' : `; did you mean '${best}'?`;
}

export interface IssueContext {
  /** The parsed YAML data, to look at what was written where a union failed. */
  data: unknown;
  /** Registered step kind names, in the order the step union lists them. */
  stepKinds: ReadonlyArray<string>;
  /** Keys a step may carry besides its kind. */
  stepCommonKeys: ReadonlyArray<string>;
}

export function placeIssues(issues: ReadonlyArray<Issue>, context: IssueContext): PlacedProblem[] {
  return dropConsequences(issues.flatMap((issue) => placeIssue(issue, [], context)));
}

/**
 * A misspelt key also makes the right key "missing" and can fail checks on its mapping; once the unknown key is
 * reported (with its suggestion), those follow-on complaints only add noise.
 */
function dropConsequences(problems: PlacedProblem[]): PlacedProblem[] {
  const unknownKeys = problems.filter((problem) => problem.origin?.kind === 'unknown-key');
  const parentOf = (path: DataPath) => formatDataPath(path.slice(0, -1));
  return problems.filter((problem) => {
    if (problem.origin?.kind === 'missing-key') {
      const missing = problem.path.at(-1);
      return !unknownKeys.some(
        (unknown) => parentOf(unknown.path) === parentOf(problem.path) && unknown.origin?.kind === 'unknown-key' && unknown.origin.suggested === missing,
      );
    }
    if (problem.origin?.kind === 'check') {
      return !unknownKeys.some((unknown) => parentOf(unknown.path) === formatDataPath(problem.path));
    }
    return true;
  });
}

function placeIssue(issue: Issue, base: DataPath, context: IssueContext): PlacedProblem[] {
  const path = [...base, ...(issue.path as Array<string | number>)];
  if (issue.code === 'unrecognized_keys') {
    const allowed = (issue as Issue & { allowedKeys?: string[] }).allowedKeys ?? [];
    return issue.keys.map((key) => ({
      path: [...path, key],
      placement: 'key' as const,
      message: unknownKeyMessage(key, allowed),
      origin: { kind: 'unknown-key' as const, suggested: closeMatch(key, allowed) },
    }));
  }
  if (issue.code === 'invalid_union') {
    if (issue.message !== UNION_MARKER) return [{ path, placement: 'value', message: issue.message }];
    return placeUnion(issue, path, context);
  }
  if (issue.code === 'invalid_type' && issue.input === undefined) return [{ path, placement: 'value', message: issue.message, origin: { kind: 'missing-key' } }];
  if (issue.code === 'custom' && isMapping(valueAt(context.data, path))) return [{ path, placement: 'value', message: issue.message, origin: { kind: 'check' } }];
  return [{ path, placement: 'value', message: issue.message }];
}

function unknownKeyMessage(key: string, allowed: ReadonlyArray<string>): string {
  const hint = suggestion(key, allowed);
  return hint ? `unknown key${hint}` : `unknown key; expected one of: ${allowed.join(', ')}`;
}

/** A failed union: report the branch the user evidently meant, not every branch's complaints. */
function placeUnion(issue: Extract<Issue, { code: 'invalid_union' }>, path: DataPath, context: IssueContext): PlacedProblem[] {
  const value = valueAt(context.data, path);
  if (isStepPath(path)) return placeStep(issue, path, value, context);
  const typeMatched = issue.errors.filter((branch) => !branch.some(isRootTypeMismatch));
  if (typeMatched.length >= 1) {
    const fewest = typeMatched.reduce((best, branch) => (branch.length < best.length ? branch : best));
    return fewest.flatMap((inner) => placeIssue(inner, path, context));
  }
  const expected = [...new Set(issue.errors.flatMap((branch) => branch.filter(isRootTypeMismatch).map(expectationOf)))];
  return [{ path, placement: 'value', message: `expected ${joinOr(expected)}, got ${describeValue(value)}` }];
}

function placeStep(
  issue: Extract<Issue, { code: 'invalid_union' }>,
  path: DataPath,
  value: unknown,
  context: IssueContext,
): PlacedProblem[] {
  const kinds = context.stepKinds;
  const kindList = `(kinds: ${kinds.join(', ')})`;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return [{ path, placement: 'value', message: `expected a mapping with one step kind ${kindList}, got ${describeValue(value)}` }];
  }
  const keys = Object.keys(value);
  const present = keys.filter((key) => kinds.includes(key));
  if (present.length === 1) {
    const branch = issue.errors[kinds.indexOf(present[0]!)] ?? [];
    return branch.flatMap((inner) => placeIssue(inner, path, context));
  }
  if (present.length > 1) {
    return [{ path: [...path, present[1]!], placement: 'key', message: `a step has exactly one kind, got '${present[0]}' and '${present[1]}'` }];
  }
  const unknown = keys.filter((key) => !context.stepCommonKeys.includes(key));
  if (unknown.length === 0) return [{ path, placement: 'value', message: `missing a step kind ${kindList}` }];
  return unknown.map((key) => ({
    path: [...path, key],
    placement: 'key' as const,
    message: `unknown step kind '${key}'${suggestion(key, kinds)} ${kindList}`,
  }));
}

function isMapping(value: unknown): boolean {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isStepPath(path: DataPath): boolean {
  return path.length === 2 && path[0] === 'steps' && typeof path[1] === 'number';
}

function isRootTypeMismatch(issue: Issue): boolean {
  return issue.path.length === 0 && (issue.code === 'invalid_type' || issue.code === 'invalid_value');
}

function expectationOf(issue: Issue): string {
  if (issue.code === 'invalid_type') return noun(issue.expected);
  if (issue.code === 'invalid_value') return issue.values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', ');
  return 'something else';
}

function joinOr(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? 'something else') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}

function valueAt(data: unknown, path: DataPath): unknown {
  let current: unknown = data;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}

/** steps[2].expect-dmesg.contains, as the user would point at it. */
export function formatDataPath(path: DataPath): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (/^[A-Za-z0-9_-]+$/.test(segment)) text += text ? `.${segment}` : segment;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}
