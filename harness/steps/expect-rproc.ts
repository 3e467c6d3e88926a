// expect-rproc: asserts on remote processors found by name: their state (waited for), firmware, recovery, and crash count.
import { z } from 'zod';
import { AssertionFailure } from '../core/errors.ts';
import { formatMs, race, sleep } from '../core/wait.ts';
import type { KmsgRecord } from '../guest/guest.ts';
import { describeValue, duration } from '../config/fields.ts';
import { lastRecords, quoteRecords } from './evidence.ts';
import {
  describeRemoteprocs,
  listRemoteprocs,
  missingRemoteprocMessage,
  remoteprocNamed,
  RPROC_BY_NAME_HINT,
  RPROC_STATES,
  type RemoteprocEntry,
} from '../guest/rproc-sysfs.ts';
import { defineStepKind, type StepContext } from './step.ts';

/** Between two reads of sysfs while waiting; one read is one SSH exec. */
export const RPROC_POLL_INTERVAL_MS = 200;

const rprocState = z.enum(RPROC_STATES).describe(`A remoteproc state as /sys/class/remoteproc/*/state shows it: ${RPROC_STATES.join(', ')}.`);
const crashWindow = z.enum(['boot', 'previous', 'step']);

const crashes = z
  .union([
    z.int().nonnegative(),
    z.strictObject({
      count: z.int().nonnegative().describe('How many `crash detected in <name>` lines.'),
      since: crashWindow.default('boot').describe('Count since boot (default), since the previous step began, or since this step began.'),
    }),
  ])
  .transform((value) => (typeof value === 'number' ? { count: value, since: 'boot' as const } : value))
  .describe(
    'How many times the remoteproc core logged `crash detected in <name>: type …`: a number (counted since boot, like the core’s own crash counter) ' +
      'or { count, since: boot | previous | step }.',
  );

const LONG_FORM_KEYS = ['state', 'firmware', 'crashes', 'recovery'] as const;
const OPTION_KEYS = ['name', ...LONG_FORM_KEYS, 'within'] as const;

const schema = z
  .object({
    name: z.string().min(1).optional().describe('Long form: the processor, by the name its driver registered (…/remoteprocN/name), never by index.'),
    state: rprocState.optional().describe('Long form: the state the processor must be in (waited for up to `within`).'),
    firmware: z.string().min(1).optional().describe('Long form: the firmware name …/remoteprocN/firmware must show.'),
    crashes: crashes.optional(),
    recovery: z.enum(['enabled', 'disabled']).optional().describe('Long form: what …/remoteprocN/recovery must show.'),
    within: duration
      .optional()
      .describe('Poll sysfs until every expectation holds, for up to this long; without it, sysfs is read once. Capped by the step deadline.'),
  })
  .catchall(rprocState.describe('Short form: a processor name and the state it must be in, e.g. adsp: running.'))
  .superRefine((value, context) => {
    const processors = Object.keys(value).filter((key) => !(OPTION_KEYS as ReadonlyArray<string>).includes(key));
    if (value.name !== undefined) {
      for (const key of processors) {
        context.addIssue({ code: 'custom', path: [key], message: `with name: (the long form), write the state as state: ${describeValue(value[key])}` });
      }
      if (LONG_FORM_KEYS.every((key) => value[key] === undefined)) {
        context.addIssue({ code: 'custom', message: `expected at least one of ${LONG_FORM_KEYS.join(', ')} next to name` });
      }
      return;
    }
    for (const key of LONG_FORM_KEYS) {
      if (value[key] !== undefined) context.addIssue({ code: 'custom', path: [key], message: `${key}: needs name: (the long form: { name: adsp, ${key}: … })` });
    }
    if (processors.length === 0) context.addIssue({ code: 'custom', message: 'expected processors and their states, like { adsp: running }, or name: and state:' });
  })
  .transform((value): Spec => {
    const within = value.within as number | undefined;
    if (value.name !== undefined) {
      const { name, state, firmware, crashes: crashCount, recovery } = value as {
        name: string;
        state?: (typeof RPROC_STATES)[number];
        firmware?: string;
        crashes?: { count: number; since: CrashWindow };
        recovery?: 'enabled' | 'disabled';
      };
      return { processors: [{ name, state, firmware, crashes: crashCount, recovery }], within };
    }
    const processors = Object.entries(value)
      .filter(([key]) => !(OPTION_KEYS as ReadonlyArray<string>).includes(key))
      .map(([name, state]) => ({ name, state: state as (typeof RPROC_STATES)[number] }));
    return { processors, within };
  });

type CrashWindow = z.output<typeof crashWindow>;

interface ProcessorExpectation {
  name: string;
  state?: (typeof RPROC_STATES)[number] | undefined;
  firmware?: string | undefined;
  crashes?: { count: number; since: CrashWindow } | undefined;
  recovery?: 'enabled' | 'disabled' | undefined;
}

interface Spec {
  processors: ProcessorExpectation[];
  /** Milliseconds; undefined reads sysfs once. */
  within: number | undefined;
}

interface Problem {
  code: string;
  message: string;
  evidence: string[];
}

/** The states one processor went through while the step watched it. */
type StateHistory = Array<{ state: string; atMs: number }>;

export const expectRproc = defineStepKind<Spec>({
  name: 'expect-rproc',
  description:
    'Asserts on remote processors found by name: state (polled until `within`), firmware, recovery, and how many crashes the core logged. ' +
    'Short form { adsp: running, cdsp: running, within: 30s }; long form { name: adsp, state: running, firmware: …, crashes: 1, recovery: enabled, within: 30s }.',
  schema,
  title(spec) {
    const parts = spec.processors.map((processor) => {
      const checks = [
        processor.state,
        processor.firmware && `firmware ${processor.firmware}`,
        processor.crashes && `${processor.crashes.count} crash${processor.crashes.count === 1 ? '' : 'es'}`,
        processor.recovery && `recovery ${processor.recovery}`,
      ].filter(Boolean);
      return `${processor.name} ${checks.join(', ')}`;
    });
    return `expect-rproc: ${parts.join('; ')}${spec.within === undefined ? '' : ` within ${formatMs(spec.within)}`}`;
  },
  async run(spec, context) {
    const started = Date.now();
    const waitUntil = spec.within === undefined ? started : Math.min(started + spec.within, context.deadline);
    const histories = new Map<string, StateHistory>(spec.processors.map((processor) => [processor.name, []]));
    const log = context.guest.kernelLog;
    const syncLog = () => race(log.sync({ signal: context.signal, deadline: context.deadline }), 'kernel log sync', limitsOf(context));
    await syncLog();

    const observe = async () => {
      const entries = await listRemoteprocs(context);
      for (const processor of spec.processors) {
        const state = remoteprocNamed(entries, processor.name)?.state ?? '(not registered)';
        const history = histories.get(processor.name)!;
        if (history.at(-1)?.state !== state) history.push({ state, atMs: Date.now() - started });
      }
      return entries;
    };

    let entries = await observe();
    // Crash lines arrive on the kmsg stream while sysfs is polled; a last sync settles the count before it is judged.
    let problems = judge(spec.processors, entries, context);
    while (problems.length > 0 && Date.now() < waitUntil) {
      await sleep(Math.min(RPROC_POLL_INTERVAL_MS, Math.max(0, waitUntil - Date.now())), limitsOf(context));
      entries = await observe();
      problems = judge(spec.processors, entries, context);
    }
    await syncLog();
    problems = judge(spec.processors, entries, context);

    if (problems.length === 0) {
      for (const processor of spec.processors) noteHolds(processor, remoteprocNamed(entries, processor.name)!, histories.get(processor.name)!, context);
      return;
    }
    const waited =
      spec.within === undefined
        ? ' (read once; add within: to wait)'
        : ` (waited ${formatMs(Date.now() - started)}${waitUntil < started + spec.within ? ', cut short by the step deadline' : ''})`;
    const evidence = [
      ...problems.flatMap((problem) => problem.evidence),
      `registered: ${describeRemoteprocs(entries)}`,
      ...spec.processors.map((processor) => `${processor.name} states seen: ${describeHistory(histories.get(processor.name)!)}`),
      'kernel log since the step began:',
      ...lastRecords(log.since(context.windowStart)),
    ];
    // A processor that is not there explains the rest, so it names the failure and lists what is registered.
    const missing = problems.some((problem) => problem.code === 'F_RPROC_MISSING');
    const code = missing ? 'F_RPROC_MISSING' : problems[0]!.code;
    throw new AssertionFailure(code, `${problems.map((problem) => problem.message).join('; ')}${waited}`, { evidence, ...(missing ? { hint: RPROC_BY_NAME_HINT } : {}) });
  },
});

function limitsOf(context: StepContext) {
  return { signal: context.signal, dies: [context.machineDied] };
}

/** Every expectation that does not hold now. */
function judge(processors: ReadonlyArray<ProcessorExpectation>, entries: ReadonlyArray<RemoteprocEntry>, context: StepContext): Problem[] {
  const problems: Problem[] = [];
  for (const expected of processors) {
    const entry = remoteprocNamed(entries, expected.name);
    if (!entry) {
      problems.push({ code: 'F_RPROC_MISSING', message: missingRemoteprocMessage(expected.name, entries), evidence: [] });
      continue;
    }
    const where = `${expected.name} (${entry.device})`;
    if (expected.state !== undefined && entry.state !== expected.state) {
      problems.push({ code: 'F_RPROC_STATE', message: `${where} is ${entry.state || '(unreadable)'}, expected ${expected.state}`, evidence: [] });
    }
    if (expected.firmware !== undefined && entry.firmware !== expected.firmware) {
      problems.push({ code: 'F_RPROC_FIRMWARE', message: `${where} firmware is ${entry.firmware || '(unreadable)'}, expected ${expected.firmware}`, evidence: [] });
    }
    if (expected.recovery !== undefined && entry.recovery !== expected.recovery) {
      problems.push({ code: 'F_RPROC_RECOVERY', message: `${where} recovery is ${entry.recovery || '(unreadable)'}, expected ${expected.recovery}`, evidence: [] });
    }
    if (expected.crashes !== undefined) {
      const lines = crashLines(expected.name, expected.crashes.since, context);
      if (lines.length !== expected.crashes.count) {
        problems.push({
          code: 'F_RPROC_CRASHES',
          message: `the kernel logged ${lines.length} crash${lines.length === 1 ? '' : 'es'} of ${expected.name} ${windowLabel(expected.crashes.since)}, expected ${expected.crashes.count}`,
          evidence: lines.length ? quoteRecords(lines) : [],
        });
      }
    }
  }
  return problems;
}

/** rproc_report_crash() logs `crash detected in %s: type %s` once per reported crash. */
function crashLines(name: string, since: CrashWindow, context: StepContext): KmsgRecord[] {
  const fromSeq = since === 'boot' ? 0 : since === 'previous' ? context.previousWindowStart : context.windowStart;
  const needle = `crash detected in ${name}: type `;
  return context.guest.kernelLog.since(fromSeq).filter((record) => record.facility === 0 && record.text.includes(needle));
}

function windowLabel(since: CrashWindow): string {
  return since === 'boot' ? 'since boot' : since === 'previous' ? 'since the previous step began' : 'since the step began';
}

function noteHolds(expected: ProcessorExpectation, entry: RemoteprocEntry, history: StateHistory, context: StepContext): void {
  const where = `${expected.name} (${entry.device})`;
  if (expected.state !== undefined) {
    const path = history.length > 1 ? ` after ${describeHistory(history)}` : '';
    context.note(`${where} is ${entry.state}${path}`);
  }
  if (expected.firmware !== undefined) context.note(`${where} firmware is ${entry.firmware}`);
  if (expected.recovery !== undefined) context.note(`${where} recovery is ${entry.recovery}`);
  if (expected.crashes !== undefined) {
    const n = expected.crashes.count;
    context.note(`the kernel logged ${n} crash${n === 1 ? '' : 'es'} of ${expected.name} ${windowLabel(expected.crashes.since)}`);
  }
}

/** "offline (+0 ms) → running (+1.2 s)" */
function describeHistory(history: StateHistory): string {
  if (history.length === 0) return '(never read)';
  return history.map((seen) => `${seen.state} (+${formatMs(seen.atMs)})`).join(' → ');
}
