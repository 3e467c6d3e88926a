// iris: opens the Iris video node found by its sysfs name; its first open() boots the firmware, so the open is the test.
import { z } from 'zod';
import { AssertionFailure, InfraError } from '../core/errors.ts';
import { formatKmsg, type KmsgRecord } from '../guest/guest.ts';
import { textPattern } from '../config/fields.ts';
import { lastRecords, quoteRecords } from './evidence.ts';
import { describeVideoNodes, errnoName, listVideoNodes, openDevice, strerrorOf } from '../guest/rproc-sysfs.ts';
import { defineStepKind, type StepContext } from './step.ts';
import { textPatternMatcher } from '../config/text-pattern.ts';

/** /sys/class/video4linux/videoN/name of the upstream Iris driver's nodes. */
export const IRIS_NODE_NAMES = { decoder: 'qcom-iris-decoder', encoder: 'qcom-iris-encoder' } as const;

/** What the upstream driver (iris_firmware.c, iris_vpu_common.c) prints when the firmware does not come up on open(). */
export const IRIS_FAILURE_LINES = [
  '/auth and reset failed: -?\\d+/',
  'error booting up iris firmware',
  'firmware download failed',
  'invalid setting for uc_region',
] as const;

/**
 * Upstream prints nothing when the firmware boots, so the proof is the simulation's own line, printed only after the
 * core answered its boot handshake. On a real board, list a line your kernel prints, or [] to rely on open() alone.
 */
export const IRIS_BOOTED_LINES = ['iris firmware booted'] as const;

const schema = z
  .strictObject({
    open: z.enum(['decoder', 'encoder']).describe(`The node to open: decoder (sysfs name ${IRIS_NODE_NAMES.decoder}) or encoder (${IRIS_NODE_NAMES.encoder}).`),
    expect: z
      .enum(['booted', 'fails'])
      .describe(
        'booted: open() succeeds, no failure line appears, and the log shows the firmware booted (a booted-lines line, since boot: only the first open boots it). ' +
          `fails: open() fails and the kernel printed one of: ${IRIS_FAILURE_LINES.join(', ')}.`,
      ),
    'expect-errno': errnoName.optional().describe('With expect: fails, the errno open() must fail with (the simulation gives ETIME when the core never answers).'),
    'booted-lines': z
      .array(textPattern)
      .optional()
      .describe(`Lines that prove the firmware booted; default: ${IRIS_BOOTED_LINES.join(', ')} (the simulation's). [] trusts a successful open() alone.`),
  })
  .superRefine((value, context) => {
    if (value['expect-errno'] !== undefined && value.expect !== 'fails') context.addIssue({ code: 'custom', path: ['expect-errno'], message: 'expect-errno goes with expect: fails' });
    if (value['booted-lines'] !== undefined && value.expect !== 'booted') context.addIssue({ code: 'custom', path: ['booted-lines'], message: 'booted-lines goes with expect: booted' });
  });

type Spec = z.output<typeof schema>;

export const iris = defineStepKind<Spec>({
  name: 'iris',
  description: 'Opens the Iris decoder (or encoder) node found by its sysfs name, whose first open() boots the firmware, and expects it to boot or to fail.',
  schema,
  title: (spec) => `iris: open ${spec.open}, expect ${spec.expect}${spec['expect-errno'] ? ` (${spec['expect-errno']})` : ''}`,
  async run(spec, context) {
    const wanted = IRIS_NODE_NAMES[spec.open];
    const nodes = await listVideoNodes(context);
    const node = nodes.find((candidate) => candidate.name === wanted);
    if (!node) {
      throw new AssertionFailure('F_IRIS_MISSING', `no video4linux node named ${wanted}; registered: ${describeVideoNodes(nodes)}`, {
        hint: 'Iris nodes are matched by /sys/class/video4linux/videoN/name, never by N',
      });
    }
    const outcome = await openDevice(context, node.path);
    if ('missing' in outcome) {
      throw new InfraError('E_IRIS_NO_NODE', `${wanted} is registered as ${node.device} but ${node.path} does not exist`, { hint: 'is devtmpfs mounted on /dev?' });
    }
    const stepRecords = await context.dmesgSinceStepStart();
    const failures = matching(stepRecords, IRIS_FAILURE_LINES);
    const where = `open(${node.path}) of ${wanted}`;

    if (spec.expect === 'booted') {
      if (!outcome.ok) {
        throw new AssertionFailure('F_IRIS_OPEN', `${where} failed with ${outcome.errno ?? `"${outcome.message}"`}, expected the firmware to boot`, {
          evidence: [`shell: ${outcome.output}`, ...evidenceOf(failures, stepRecords)],
        });
      }
      if (failures.length) {
        throw new AssertionFailure('F_IRIS_FAILURE_LINE', `${where} succeeded, but the kernel printed an Iris failure line during the step`, {
          evidence: quoteRecords(failures),
        });
      }
      context.note(`${where} succeeded`);
      checkBooted(spec['booted-lines'] ?? [...IRIS_BOOTED_LINES], where, stepRecords, context);
      return;
    }

    if (outcome.ok) {
      throw new AssertionFailure('F_IRIS_OPENED', `${where} succeeded, expected it to fail`, { evidence: ['kernel log since the step began:', ...lastRecords(stepRecords)] });
    }
    const got = outcome.errno ?? `"${outcome.message}"`;
    const expected = spec['expect-errno'];
    if (expected !== undefined && outcome.errno !== expected) {
      throw new AssertionFailure('F_IRIS_ERRNO', `${where} failed with ${got}, expected ${expected} (${strerrorOf(expected) ?? 'kernel-internal'})`, {
        evidence: [`shell: ${outcome.output}`, ...evidenceOf(failures, stepRecords)],
      });
    }
    if (failures.length === 0) {
      throw new AssertionFailure('F_IRIS_NO_FAILURE_LINE', `${where} failed with ${got}, but the kernel printed none of the Iris failure lines (${IRIS_FAILURE_LINES.join(', ')})`, {
        evidence: [`shell: ${outcome.output}`, 'kernel log since the step began:', ...lastRecords(stepRecords)],
      });
    }
    context.note(`${where} failed with ${got}, as expected`);
    for (const record of failures) context.note(`the kernel printed: ${formatKmsg(record)}`);
  },
});

/** Only the first open boots the firmware, so the proof is looked for since boot, and the note says which open it was. */
function checkBooted(patterns: string[], where: string, stepRecords: KmsgRecord[], context: StepContext): void {
  if (patterns.length === 0) {
    context.note('no booted-lines given: a successful open() is taken as the proof the firmware booted');
    return;
  }
  const booted = matching(context.guest.kernelLog.since(0), patterns);
  if (booted.length === 0) {
    throw new AssertionFailure('F_IRIS_NOT_BOOTED', `${where} succeeded, but the kernel log has no line showing the firmware booted (looked since boot for: ${patterns.join(', ')})`, {
      evidence: ['kernel log since the step began:', ...lastRecords(stepRecords)],
    });
  }
  const line = booted.at(-1)!;
  const when = line.seq >= context.windowStart ? 'during this open' : 'by an earlier open';
  context.note(`Iris firmware booted ${when}: ${formatKmsg(line)}`);
}

function matching(records: ReadonlyArray<KmsgRecord>, patterns: ReadonlyArray<string>): KmsgRecord[] {
  const matchers = patterns.map(textPatternMatcher);
  return records.filter((record) => record.facility === 0 && matchers.some((matcher) => matcher.test(record.text)));
}

function evidenceOf(failures: KmsgRecord[], stepRecords: KmsgRecord[]): string[] {
  return failures.length ? ['Iris failure lines:', ...quoteRecords(failures)] : ['kernel log since the step began:', ...lastRecords(stepRecords)];
}
