// remote-fault: injects a fault into an emulated remote processor through the EL3 firmware's host channel, and waits for the firmware to take it.
import { z } from 'zod';
import { AssertionFailure, InfraError } from '../core/errors.ts';
import { describeValue } from '../config/fields.ts';
import { TZ_PROCESSOR_NAMES, type TzProcessor } from '../model/trust-zone.ts';
import { defineStepKind } from './step.ts';
import { sendTzCommand } from './tz-command.ts';
import { requireTrustZone } from './tz-log.ts';

/** One-shot crashes of a running remote (host commands `fatal`, `wdog`). */
const CRASHES = { fatal: 'fatal', watchdog: 'wdog' } as const;
/** Faults that stay on until cleared (host command `fault <proc> <name> on|off`). */
const LATCHED = ['no-stop-ack', 'refuse-auth', 'corrupt-boot-dma'] as const;
const FAULTS = [...(Object.keys(CRASHES) as Array<keyof typeof CRASHES>), ...LATCHED] as const;
type Fault = (typeof FAULTS)[number];

/** The firmware's answer to a crash of a processor that is not running (images/el3-firmware/host-channel.c). */
const NOT_RUNNING = 'processor is not running';

const reason = z
  .string()
  .regex(/^[\x20-\x7e]{1,80}$/, { error: (issue) => `expected up to 80 printable ASCII characters (the firmware's command line is 127 bytes), got ${describeValue(issue.input)}` })
  .describe('With fatal or watchdog: the crash reason the remote writes into its SMEM crash item (default "pilot-el3: injected fatal error" / "… watchdog bite").');

const schema = z
  .strictObject({
    processor: z.enum(TZ_PROCESSOR_NAMES).describe('The remote processor: adsp (PAS 1) or cdsp (PAS 18).'),
    fault: z
      .enum(FAULTS)
      .describe(
        'fatal: the running remote raises a fatal error (SMP2P bit 0); watchdog: its watchdog bites; no-stop-ack: it ignores stop requests; ' +
          'refuse-auth: TrustZone refuses auth_and_reset; corrupt-boot-dma: its boot DMA is corrupted, so it never comes up. The last three stay on until cleared.',
      ),
    clear: z.boolean().optional().describe('With no-stop-ack, refuse-auth or corrupt-boot-dma: true turns the fault off again.'),
    reason: reason.optional(),
  })
  .superRefine((value, context) => {
    const crash = value.fault in CRASHES;
    if (value.clear !== undefined && crash) {
      context.addIssue({ code: 'custom', path: ['clear'], message: `clear goes with ${LATCHED.join(', ')}: ${value.fault} happens once and has nothing to clear` });
    }
    if (value.reason !== undefined && !crash) context.addIssue({ code: 'custom', path: ['reason'], message: 'reason goes with fatal or watchdog' });
  });

type Spec = z.output<typeof schema>;

/** The host-channel command line (images/el3-firmware/README.md, "Host channel"). */
export function faultCommand(processor: TzProcessor, fault: Fault, options: { clear?: boolean | undefined; reason?: string | undefined } = {}): string {
  if (fault === 'fatal' || fault === 'watchdog') return [CRASHES[fault], processor, ...(options.reason === undefined ? [] : [options.reason])].join(' ');
  return `fault ${processor} ${fault} ${options.clear ? 'off' : 'on'}`;
}

export const remoteFault = defineStepKind<Spec>({
  name: 'remote-fault',
  description:
    'Injects a fault into an emulated remote processor through the EL3 firmware\'s host channel (machines with soc: real): ' +
    'a fatal error or watchdog bite now, or a stop-ack, auth or boot-DMA fault until cleared.',
  schema,
  title(spec) {
    const latched = spec.fault === 'fatal' || spec.fault === 'watchdog' ? '' : spec.clear ? ' off' : ' on';
    return `remote-fault: ${spec.processor} ${spec.fault}${latched}`;
  },
  async run(spec, context) {
    const channel = requireTrustZone(context, 'remote-fault');
    const command = faultCommand(spec.processor, spec.fault, spec);
    const answer = await sendTzCommand(channel, command, context);
    if (answer.ok) {
      context.note(`the EL3 firmware took "${command}": ${answer.line}`);
      return;
    }
    if (answer.reason === NOT_RUNNING) {
      const lastState = channel.lines().findLast((line) => line.startsWith(`tz: remote ${spec.processor} state `));
      throw new AssertionFailure('F_TZ_NOT_RUNNING', `${spec.processor} is not running, so the EL3 firmware could not inject ${spec.fault}: ${answer.line}`, {
        evidence: [lastState ? `its last state change: ${lastState}` : `the tz log shows no state change of ${spec.processor}: it never booted`],
      });
    }
    throw new InfraError('E_TZ_COMMAND_REJECTED', `the EL3 firmware rejected "${command}": ${answer.reason}`, { evidence: [answer.line] });
  },
});
