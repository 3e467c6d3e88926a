// expect-tz: asserts on the EL3 firmware's tz log (PAS call sequences, SHM bridges, refusals, or any text), the way expect-dmesg does on the kernel's.
import { z } from 'zod';
import { AssertionFailure } from '../core/errors.ts';
import { formatMs } from '../core/wait.ts';
import { oneOrMany, regexSource, textPattern, duration } from '../config/fields.ts';
import { literalMatcher, regexMatcher, textPatternMatcher } from '../config/text-pattern.ts';
import { TZ_PROCESSOR_NAMES, type TrustZoneChannel } from '../model/trust-zone.ts';
import { clip, defineStepKind, type StepContext } from './step.ts';
import { lastTzLines, quoteTzLines, requireTrustZone, tzWindowOf, waitForTzLine, type TzHit, type TzWindow } from './tz-log.ts';
import { bridgeChanged, PAS_CALLS, pasCallRefused, pasCallSucceeded, type TzLineMatcher } from './tz-lines.ts';

const CHECK_KEYS = ['contains', 'absent', 'matches', 'in-order', 'sequence', 'bridge', 'refused'] as const;

const schema = z
  .strictObject({
    contains: oneOrMany(z.string().min(1)).optional().describe('tz lines containing each of these texts must appear.'),
    absent: oneOrMany(textPattern).optional().describe('No tz line may contain, or match as a regex, any of these.'),
    matches: oneOrMany(regexSource).optional().describe('A tz line matching each of these regular expressions must appear.'),
    'in-order': z.array(textPattern).min(2).optional().describe('tz lines matching these patterns must appear in this order.'),
    pas: z.enum(TZ_PROCESSOR_NAMES).optional().describe('The processor (adsp = PAS 1, cdsp = PAS 18) that sequence and refused are about.'),
    sequence: z
      .array(z.enum(PAS_CALLS))
      .min(1)
      .optional()
      .describe('PAS calls TrustZone must accept for `pas`, in this order ("tz: smc pas <call> pas=<id> … ok"), e.g. [init_image, mem_setup, auth_and_reset].'),
    bridge: oneOrMany(z.enum(['created', 'deleted']))
      .optional()
      .describe('An SHM bridge must have been created ("tz: bridge create handle=…") or deleted ("tz: bridge delete handle=… addr=…").'),
    refused: z
      .enum(PAS_CALLS)
      .optional()
      .describe('TrustZone must have refused this PAS call ("tz: smc pas <call> pas=<id> … refused: <reason>"), for `pas` when given, else for any processor.'),
    reason: z.string().min(1).optional().describe('With refused: the refusal reason must contain this text (e.g. "hash mismatch", "fault refuse-auth").'),
    within: duration.optional().describe('Wait up to this long for the expected lines, reading them as they arrive.'),
    since: z
      .enum(['step', 'previous', 'boot'])
      .default('step')
      .describe('Which tz lines count: since this step began (default), since the previous step began, or all since the firmware started.'),
  })
  .superRefine((value, context) => {
    if (!CHECK_KEYS.some((key) => value[key] !== undefined)) {
      context.addIssue({ code: 'custom', message: `expected at least one of ${CHECK_KEYS.join(', ')}` });
    }
    if (value.sequence !== undefined && value.pas === undefined) {
      context.addIssue({ code: 'custom', path: ['sequence'], message: 'sequence needs pas: the processor whose calls they are (adsp or cdsp)' });
    }
    if (value.pas !== undefined && value.sequence === undefined && value.refused === undefined) {
      context.addIssue({ code: 'custom', path: ['pas'], message: 'pas goes with sequence or refused' });
    }
    if (value.reason !== undefined && value.refused === undefined) context.addIssue({ code: 'custom', path: ['reason'], message: 'reason goes with refused' });
    const waitsFor = value.contains ?? value.matches ?? value['in-order'] ?? value.sequence ?? value.bridge ?? value.refused;
    if (value.within !== undefined && waitsFor === undefined) {
      context.addIssue({ code: 'custom', path: ['within'], message: 'within waits for expected lines, and this step expects none (absent is judged once the step ends)' });
    }
  });

type Spec = z.output<typeof schema>;

interface Problem {
  code: string;
  message: string;
  evidence: string[];
}

/** What one step waits with: the channel, its window, and the end of the waiting. */
interface Reader {
  channel: TrustZoneChannel;
  window: TzWindow;
  waitUntil: number | undefined;
  signal: AbortSignal;
}

export const expectTz = defineStepKind<Spec>({
  name: 'expect-tz',
  description:
    'Asserts on the EL3 firmware\'s tz log (machines with soc: real): PAS calls in order, SHM bridges, refusals, or lines present, absent or in order.',
  schema,
  title(spec) {
    const parts = [
      ...(spec.sequence ? [`${spec.pas} ${spec.sequence.join(' → ')}`] : []),
      ...(spec.refused ? [`${spec.refused} refused${spec.pas ? ` for ${spec.pas}` : ''}`] : []),
      ...(spec.bridge ?? []).map((change) => `bridge ${change}`),
      ...(spec.contains ?? []).map((text) => `contains "${text}"`),
      ...(spec.matches ?? []).map((regex) => `matches /${regex}/`),
      ...(spec['in-order'] ? [`in order "${spec['in-order'].join('", "')}"`] : []),
      ...(spec.absent ?? []).map((pattern) => `no "${pattern}"`),
    ];
    const more = parts.length > 1 ? ` (+${parts.length - 1} more)` : '';
    return `expect-tz: ${clip(parts[0] ?? '', 64)}${more}`;
  },
  async run(spec, context) {
    const channel = requireTrustZone(context, 'expect-tz');
    const window = tzWindowOf(spec.since, context);
    const waitStarted = Date.now();
    const waitUntil = spec.within === undefined ? undefined : Math.min(waitStarted + spec.within, context.deadline);
    const cut = waitUntil !== undefined && waitUntil < waitStarted + spec.within! ? ', cut short by the step deadline' : '';
    const waited = waitUntil === undefined ? '' : ` (waited up to ${formatMs(waitUntil - waitStarted)}${cut})`;
    const reader: Reader = { channel, window, waitUntil, signal: context.signal };
    const problems: Problem[] = [];
    let missing = false;

    for (const matcher of positives(spec)) {
      const hit = await find(reader, matcher, window.from);
      if (hit) context.note(`tz log has ${matcher.label}: ${hit.line}`);
      else {
        missing = true;
        problems.push({ code: 'F_TZ_MISSING', message: `no tz line ${matcher.label} ${window.label}${waited}`, evidence: [] });
      }
    }
    if (spec.sequence) {
      const steps = spec.sequence.map((call) => ({ matcher: pasCallSucceeded(spec.pas!, call), short: call, refusal: pasCallRefused(call, spec.pas) }));
      const problem = await checkOrder(reader, steps, 'F_TZ_SEQUENCE', context);
      if (problem) {
        missing = true;
        problems.push({ ...problem, message: `${problem.message} ${window.label}${waited}` });
      }
    }
    if (spec['in-order']) {
      const steps = spec['in-order'].map((pattern) => ({ matcher: { label: `matching "${pattern}"`, test: textPatternMatcher(pattern).test }, short: `"${pattern}"` }));
      const problem = await checkOrder(reader, steps, 'F_TZ_ORDER', context);
      if (problem) {
        missing = true;
        problems.push({ ...problem, message: `${problem.message} ${window.label}${waited}` });
      }
    }

    // Absence is judged on everything logged once the waiting is over.
    const seen = channel.lines().slice(window.from);
    for (const pattern of spec.absent ?? []) {
      const matcher = textPatternMatcher(pattern);
      const offending = seen.filter((line) => matcher.test(line));
      if (offending.length === 0) context.note(`tz log has no line matching "${pattern}" ${window.label}`);
      else {
        problems.push({
          code: 'F_TZ_PRESENT',
          message: `${offending.length} tz line${offending.length === 1 ? '' : 's'} matching "${pattern}" ${window.label}, expected none`,
          evidence: quoteTzLines(offending),
        });
      }
    }

    if (problems.length) {
      const evidence = problems.flatMap((problem) => problem.evidence);
      if (missing) evidence.push(`tz lines ${window.label}:`, ...lastTzLines(seen));
      throw new AssertionFailure(problems[0]!.code, problems.map((problem) => problem.message).join('; '), { evidence });
    }
  },
});

/** Lines that must each appear somewhere in the window, in any order. */
function positives(spec: Spec): TzLineMatcher[] {
  return [
    ...(spec.refused ? [pasCallRefused(spec.refused, spec.pas, spec.reason)] : []),
    ...(spec.bridge ?? []).map(bridgeChanged),
    ...(spec.contains ?? []).map((text) => ({ label: `containing "${text}"`, test: literalMatcher(text).test })),
    ...(spec.matches ?? []).map((source) => ({ label: `matching /${source}/`, test: regexMatcher(source).test })),
  ];
}

async function find(reader: Reader, matcher: TzLineMatcher, from: number): Promise<TzHit | undefined> {
  if (reader.waitUntil === undefined) {
    const lines = reader.channel.lines();
    for (let index = from; index < lines.length; index++) if (matcher.test(lines[index]!)) return { line: lines[index]!, index };
    return undefined;
  }
  return waitForTzLine(reader.channel, matcher.test, from, reader.waitUntil, reader.signal);
}

/** Each line after the one before; a missing one says what came before it and whether TrustZone logged it only earlier. */
async function checkOrder(
  reader: Reader,
  steps: ReadonlyArray<{ matcher: TzLineMatcher; short: string; refusal?: TzLineMatcher }>,
  code: 'F_TZ_ORDER' | 'F_TZ_SEQUENCE',
  context: StepContext,
): Promise<Problem | undefined> {
  let from = reader.window.from;
  let previous: string | undefined;
  for (const { matcher, short, refusal } of steps) {
    const hit = await find(reader, matcher, from);
    if (!hit) {
      const lines = reader.channel.lines();
      const earlier = lines.slice(reader.window.from, from).find(matcher.test);
      const where = previous === undefined ? '' : ` after ${previous}`;
      const only = earlier ? ` (it appears only earlier: ${earlier})` : '';
      // A refused call is the usual reason a sequence stops: quote TrustZone's own reason.
      const refused = refusal && lines.slice(from).find(refusal.test);
      return { code, message: `no tz line ${matcher.label}${where}${only}`, evidence: refused ? [`TrustZone refused it: ${refused}`] : [] };
    }
    from = hit.index + 1;
    previous = short;
  }
  context.note(`tz log has in order: ${steps.map((step) => step.matcher.label).join(', ')}`);
  return undefined;
}
