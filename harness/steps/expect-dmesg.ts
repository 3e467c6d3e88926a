// expect-dmesg: asserts on the kernel log of this step (or since the previous step, or since boot), optionally waiting for lines to arrive.
import { z } from 'zod';
import { AssertionFailure } from '../core/errors.ts';
import { formatMs } from '../core/wait.ts';
import { formatKmsg, type KmsgRecord } from '../guest/guest.ts';
import { duration, oneOrMany, regexSource, textPattern } from '../config/fields.ts';
import { lastRecords, quoteRecords } from './evidence.ts';
import { clip, defineStepKind, type StepContext } from './step.ts';
import { literalMatcher, regexMatcher, textPatternMatcher, type TextMatcher } from '../config/text-pattern.ts';

const count = z
  .strictObject({
    pattern: textPattern,
    min: z.int().nonnegative().optional().describe('At least this many matching lines.'),
    max: z.int().nonnegative().optional().describe('At most this many matching lines.'),
    equals: z.int().nonnegative().optional().describe('Exactly this many matching lines.'),
  })
  .superRefine((value, context) => {
    if (value.min === undefined && value.max === undefined && value.equals === undefined) {
      context.addIssue({ code: 'custom', message: 'expected at least one of min, max or equals' });
    }
    if (value.equals !== undefined && (value.min !== undefined || value.max !== undefined)) {
      context.addIssue({ code: 'custom', message: 'equals cannot be combined with min or max' });
    }
    if (value.min !== undefined && value.max !== undefined && value.min > value.max) {
      context.addIssue({ code: 'custom', message: `expected min <= max, got min ${value.min} and max ${value.max}` });
    }
  })
  .describe('How many lines match a pattern.');

const CHECK_KEYS = ['contains', 'absent', 'matches', 'count', 'in-order'] as const;

const schema = z
  .strictObject({
    contains: oneOrMany(z.string().min(1)).optional().describe('Lines containing each of these texts must appear.'),
    absent: oneOrMany(textPattern).optional().describe('No line may contain, or match as a regex, any of these.'),
    matches: oneOrMany(regexSource).optional().describe('A line matching each of these regular expressions must appear.'),
    count: count.optional(),
    'in-order': z.array(textPattern).min(2).optional().describe('Lines matching these patterns must appear in this order.'),
    within: duration.optional().describe('Wait up to this long for the contains, matches and in-order lines, reading records as they arrive.'),
    since: z
      .enum(['step', 'previous', 'boot'])
      .default('step')
      .describe('Which records count: since this step began (default), since the previous step began, or the whole log since boot.'),
  })
  .superRefine((value, context) => {
    if (!CHECK_KEYS.some((key) => value[key] !== undefined)) {
      context.addIssue({ code: 'custom', message: `expected at least one of ${CHECK_KEYS.join(', ')}` });
    }
    if (value.within !== undefined && !value.contains && !value.matches && !value['in-order']) {
      context.addIssue({ code: 'custom', message: 'within waits for contains, matches or in-order lines, and this step has none', path: ['within'] });
    }
  });

type Spec = z.output<typeof schema>;

interface Problem {
  code: string;
  message: string;
  evidence: string[];
}

export const expectDmesg = defineStepKind<Spec>({
  name: 'expect-dmesg',
  description: 'Asserts on kernel log lines: present, absent, counted or in order, optionally waiting for them to arrive.',
  schema,
  title(spec) {
    const parts = [
      ...(spec.contains ?? []).map((text) => `contains "${text}"`),
      ...(spec.matches ?? []).map((regex) => `matches /${regex}/`),
      ...(spec['in-order'] ? [`in order "${spec['in-order'].join('", "')}"`] : []),
      ...(spec.count ? [`count "${spec.count.pattern}"`] : []),
      ...(spec.absent ?? []).map((pattern) => `no "${pattern}"`),
    ];
    const more = parts.length > 1 ? ` (+${parts.length - 1} more)` : '';
    return `expect-dmesg: ${clip(parts[0] ?? '', 64)}${more}`;
  },
  async run(spec, context) {
    const window = windowOf(spec.since, context);
    const read = async () => {
      await context.guest.kernelLog.sync({ signal: context.signal, deadline: context.deadline });
      return context.guest.kernelLog.since(window.fromSeq);
    };
    const waitStarted = Date.now();
    const waitUntil = spec.within === undefined ? undefined : Math.min(waitStarted + spec.within, context.deadline);
    const waited = waitUntil === undefined ? '' : ` (waited up to ${formatMs(waitUntil - waitStarted)}${waitUntil < waitStarted + spec.within! ? ', cut short by the step deadline' : ''})`;
    let seen = await read();
    const problems: Problem[] = [];
    let missing = false;

    const unmet: TextMatcher[] = [];
    const positives: Array<{ label: string; matcher: TextMatcher }> = [
      ...(spec.contains ?? []).map((text) => ({ label: `containing "${text}"`, matcher: literalMatcher(text) })),
      ...(spec.matches ?? []).map((source) => ({ label: `matching /${source}/`, matcher: regexMatcher(source) })),
    ];
    for (const { label, matcher } of positives) {
      const test = (record: KmsgRecord) => matcher.test(record.text);
      let hit = seen.find(test);
      if (!hit && waitUntil !== undefined) hit = await context.waitForDmesg(test, waitUntil, `a line ${label}`, window.fromSeq);
      if (hit) context.note(`dmesg has a line ${label}: ${hit.text}`);
      else {
        missing = true;
        unmet.push(matcher);
        problems.push({ code: 'F_DMESG_MISSING', message: `no line ${label} ${window.label}${waited}`, evidence: [] });
      }
    }

    const inOrder = spec['in-order'];
    if (inOrder) {
      const problem = await checkInOrder(inOrder, seen, waitUntil, window.fromSeq, context);
      if (problem) {
        missing = true;
        problems.push(problem);
      }
    }

    // Absence and counts are judged on everything seen once the waiting is over.
    if (waitUntil !== undefined) seen = await read();
    for (const pattern of spec.absent ?? []) {
      const matcher = textPatternMatcher(pattern);
      const offending = seen.filter((record) => matcher.test(record.text));
      if (offending.length === 0) context.note(`dmesg has no line matching "${pattern}" ${window.label}`);
      else {
        problems.push({
          code: 'F_DMESG_PRESENT',
          message: `${offending.length} line${offending.length === 1 ? '' : 's'} matching "${pattern}" ${window.label}, expected none`,
          evidence: quoteRecords(offending),
        });
      }
    }
    if (spec.count) {
      const problem = checkCount(spec.count, seen, window.label);
      if (problem) problems.push(problem);
      else context.note(`dmesg count of "${spec.count.pattern}" ${window.label} within bounds`);
    }

    if (problems.length) {
      const evidence = problems.flatMap((problem) => problem.evidence);
      if (missing) evidence.push(`records seen ${window.label}:`, ...lastRecords(seen));
      const hint = unmet.length ? earlierMatchHint(unmet, context.guest.kernelLog.since(0), window.fromSeq, context.previousWindowStart) : undefined;
      throw new AssertionFailure(problems[0]!.code, problems.map((problem) => problem.message).join('; '), { evidence, ...(hint ? { hint } : {}) });
    }
  },
});

/**
 * A line waited for but logged before the window opened is the classic slip of a step that checks what the previous step
 * caused: say where it was and which `since:` would have seen it.
 */
function earlierMatchHint(unmet: ReadonlyArray<TextMatcher>, all: ReadonlyArray<KmsgRecord>, fromSeq: number, previousFrom: number): string | undefined {
  const earlier = all.find((record) => record.seq < fromSeq && unmet.some((matcher) => matcher.test(record.text)));
  if (!earlier) return undefined;
  const at = `${(earlier.usec / 1e6).toFixed(2)} s`;
  const inPrevious = earlier.seq >= previousFrom && previousFrom < fromSeq;
  return inPrevious
    ? `the line was logged during the previous step, at ${at} (${earlier.text.trim()}): did you mean \`since: previous\`?`
    : `the line was logged before the previous step, at ${at} (${earlier.text.trim()}): did you mean \`since: boot\`?`;
}

function windowOf(since: Spec['since'], context: StepContext): { fromSeq: number; label: string } {
  if (since === 'boot') return { fromSeq: 0, label: 'since boot' };
  if (since === 'previous') return { fromSeq: context.previousWindowStart, label: 'since the previous step began' };
  return { fromSeq: context.windowStart, label: 'since the step began' };
}

async function checkInOrder(
  patterns: string[],
  seen: KmsgRecord[],
  waitUntil: number | undefined,
  fromSeq: number,
  context: StepContext,
): Promise<Problem | undefined> {
  let after = -1;
  let previous: string | undefined;
  for (const pattern of patterns) {
    const matcher = textPatternMatcher(pattern);
    const test = (record: KmsgRecord) => record.seq > after && matcher.test(record.text);
    let hit = seen.find(test);
    if (!hit && waitUntil !== undefined) hit = await context.waitForDmesg(test, waitUntil, `a line matching "${pattern}"`, fromSeq);
    if (!hit) {
      const earlier = seen.find((record) => matcher.test(record.text));
      const where = previous === undefined ? '' : ` after "${previous}"`;
      const only = earlier ? ` (it appears only earlier: ${formatKmsg(earlier)})` : '';
      return { code: 'F_DMESG_ORDER', message: `no line matching "${pattern}"${where}${only}`, evidence: [] };
    }
    after = hit.seq;
    previous = pattern;
  }
  context.note(`dmesg has lines in order: "${patterns.join('", "')}"`);
  return undefined;
}

function checkCount(spec: NonNullable<Spec['count']>, seen: KmsgRecord[], windowLabel: string): Problem | undefined {
  const matcher = textPatternMatcher(spec.pattern);
  const matching = seen.filter((record) => matcher.test(record.text));
  const n = matching.length;
  const expected =
    spec.equals !== undefined
      ? n === spec.equals
        ? undefined
        : `exactly ${spec.equals}`
      : spec.min !== undefined && n < spec.min
        ? `at least ${spec.min}`
        : spec.max !== undefined && n > spec.max
          ? `at most ${spec.max}`
          : undefined;
  if (expected === undefined) return undefined;
  return {
    code: 'F_DMESG_COUNT',
    message: `"${spec.pattern}" matched ${n} line${n === 1 ? '' : 's'} ${windowLabel}, expected ${expected}`,
    evidence: quoteRecords(matching),
  };
}
