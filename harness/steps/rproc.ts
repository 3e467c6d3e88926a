// rproc: drives a remote processor found by name through the remoteproc core's own files, and checks the errno of refused writes.
import { z } from 'zod';
import { AssertionFailure, InfraError } from '../core/errors.ts';
import { describeValue } from '../config/fields.ts';
import { lastRecords } from './evidence.ts';
import {
  errnoName,
  findRemoteproc,
  listRemoteprocs,
  remoteprocAttribute,
  remoteprocDebugfs,
  remoteprocNamed,
  strerrorOf,
  writeAttribute,
  type RemoteprocEntry,
  type SyscallOutcome,
} from '../guest/rproc-sysfs.ts';
import { clip, defineStepKind, type StepContext } from './step.ts';

/** enum rproc_crash_type (include/linux/remoteproc.h); the debugfs `crash` file takes the number (kstrtouint). */
export const RPROC_CRASH_TYPES = { mmufault: 0, watchdog: 1, fatal: 2, unknown: 3 } as const;
type CrashType = keyof typeof RPROC_CRASH_TYPES;

const ACTIONS = ['start', 'stop', 'crash', 'recover'] as const;
const ACTION_KEYS = ['do', 'firmware', 'recovery'] as const;

/** A name busybox echo writes as-is: no leading dash (an option), no whitespace the kernel would cut at. */
const firmwareName = z
  .string()
  .regex(/^[^\s-][^\s]*$/, { error: (issue) => `expected a firmware name like qcom/sa8775p/adsp.mbn (no spaces, not starting with -), got ${describeValue(issue.input)}` })
  .describe('Firmware file name, relative to /lib/firmware, written to …/remoteprocN/firmware (the core refuses with EBUSY unless the processor is offline).');

const schema = z
  .strictObject({
    name: z.string().min(1).describe('The processor, by the name its driver registered (…/remoteprocN/name), never by index.'),
    do: z
      .enum(ACTIONS)
      .optional()
      .describe(
        'start/stop: written to …/remoteprocN/state; crash: written to debugfs …/remoteproc/remoteprocN/crash (rproc_report_crash); ' +
          'recover: written to …/remoteprocN/recovery (recovers a crashed processor).',
      ),
    type: z
      .enum(Object.keys(RPROC_CRASH_TYPES) as [CrashType, ...CrashType[]])
      .optional()
      .describe('With do: crash, the rproc_crash_type to report: mmufault, watchdog (default), fatal, or unknown (an out-of-range type).'),
    firmware: firmwareName.optional(),
    recovery: z.enum(['enabled', 'disabled']).optional().describe('Written to …/remoteprocN/recovery: disabled keeps a crashed processor crashed.'),
    'expect-errno': errnoName
      .optional()
      .describe('The write must fail with this errno (e.g. EINVAL for stop on a crashed processor); a write that succeeds fails the step.'),
  })
  .superRefine((value, context) => {
    const given = ACTION_KEYS.filter((key) => value[key] !== undefined);
    if (given.length !== 1) {
      context.addIssue({ code: 'custom', message: `expected exactly one of ${ACTION_KEYS.join(', ')}${given.length ? `, got ${given.join(' and ')}` : ''}` });
    }
    if (value.type !== undefined && value.do !== 'crash') context.addIssue({ code: 'custom', path: ['type'], message: 'type goes with do: crash' });
  });

type Spec = z.output<typeof schema>;

/** What a spec writes, and where. */
interface Write {
  label: string;
  path: string;
  value: string;
}

export const rproc = defineStepKind<Spec>({
  name: 'rproc',
  description:
    'Starts, stops, crashes or recovers a remote processor found by name, or sets its firmware or recovery, through the remoteproc core’s files; ' +
    'with expect-errno the write must be refused with that errno.',
  schema,
  title(spec) {
    const action =
      spec.do === 'crash' ? `crash (${spec.type ?? 'watchdog'})` : spec.do ?? (spec.firmware !== undefined ? `firmware ${clip(spec.firmware, 40)}` : `recovery ${spec.recovery}`);
    return `rproc: ${spec.name} ${action}${spec['expect-errno'] ? `, expect ${spec['expect-errno']}` : ''}`;
  },
  async run(spec, context) {
    const entry = await findRemoteproc(context, spec.name);
    const write = writeOf(spec, entry);
    const outcome = await writeChecked(context, write);
    const expected = spec['expect-errno'];
    const where = `${spec.name} (${entry.device})`;

    if (outcome.ok) {
      if (expected !== undefined) {
        throw new AssertionFailure('F_RPROC_ERRNO', `${write.label} on ${where} succeeded, expected it to fail with ${expected} (${strerrorOf(expected) ?? 'kernel-internal'})`, {
          evidence: ['kernel log since the step began:', ...(await recentLog(context))],
        });
      }
      context.note(`${write.label} on ${where}: written to ${write.path}${await stateAfter(context, spec.name)}`);
      return;
    }
    const got = outcome.errno ?? `an unrecognised error "${outcome.message}"`;
    if (expected === undefined) {
      throw new AssertionFailure('F_RPROC_WRITE', `${write.label} on ${where} failed with ${got}: ${write.path} refused '${write.value}'`, {
        evidence: [`shell: ${outcome.output}`, 'kernel log since the step began:', ...(await recentLog(context))],
      });
    }
    if (outcome.errno !== expected) {
      throw new AssertionFailure('F_RPROC_ERRNO', `${write.label} on ${where} failed with ${got}, expected ${expected}`, {
        evidence: [`shell: ${outcome.output}`, 'kernel log since the step began:', ...(await recentLog(context))],
      });
    }
    context.note(`${write.label} on ${where} was refused with ${expected} (${outcome.message}), as expected`);
  },
});

function writeOf(spec: Spec, entry: RemoteprocEntry): Write {
  if (spec.firmware !== undefined) return { label: `firmware ${spec.firmware}`, path: remoteprocAttribute(entry, 'firmware'), value: spec.firmware };
  if (spec.recovery !== undefined) return { label: `recovery ${spec.recovery}`, path: remoteprocAttribute(entry, 'recovery'), value: spec.recovery };
  switch (spec.do!) {
    case 'start':
    case 'stop':
      return { label: spec.do!, path: remoteprocAttribute(entry, 'state'), value: spec.do! };
    case 'recover':
      return { label: 'recover', path: remoteprocAttribute(entry, 'recovery'), value: 'recover' };
    case 'crash': {
      const type = spec.type ?? 'watchdog';
      return { label: `crash (${type})`, path: remoteprocDebugfs(entry, 'crash'), value: String(RPROC_CRASH_TYPES[type]) };
    }
  }
}

/** A file that is not there at all is the target's setup (debugfs not mounted, a core without the attribute), never the kernel's answer. */
async function writeChecked(context: StepContext, write: Write): Promise<SyscallOutcome> {
  const outcome = await writeAttribute(context, write.path, write.value);
  if (!outcome.ok && outcome.failedAt === 'open' && outcome.errno === 'ENOENT') {
    throw new InfraError('E_RPROC_NO_FILE', `${write.path} does not exist, so '${write.label}' cannot be written`, {
      evidence: [`shell: ${outcome.output}`],
      hint: write.path.startsWith('/sys/kernel/debug') ? 'is debugfs mounted on /sys/kernel/debug (the guest /init mounts it)?' : undefined,
    });
  }
  return outcome;
}

async function stateAfter(context: StepContext, name: string): Promise<string> {
  const entry = remoteprocNamed(await listRemoteprocs(context), name);
  return entry ? `; state now ${entry.state}` : '; it is no longer registered';
}

async function recentLog(context: StepContext): Promise<string[]> {
  return lastRecords(await context.dmesgSinceStepStart());
}
