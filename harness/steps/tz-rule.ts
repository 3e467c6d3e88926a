// tz-rule: sets a TrustZone policy rule of the EL3 firmware through its host channel (today the SHM-bridge rule), and waits for the firmware to take it.
import { z } from 'zod';
import { InfraError } from '../core/errors.ts';
import { defineStepKind } from './step.ts';
import { sendTzCommand } from './tz-command.ts';
import { requireTrustZone } from './tz-log.ts';

const onOff = z.enum(['on', 'off']);

const schema = z.strictObject({
  'bridge-required': onOff.describe(
    'on: TrustZone refuses auth_and_reset unless an SHM bridge covers the image in the carve-out ("refused: no shm bridge over carve-out"), ' +
      'as on a platform where Linux runs at EL2 with no hypervisor to make that bridge; off (the firmware\'s default): no bridge needed.',
  ),
});

type Spec = z.output<typeof schema>;

/** The host-channel command line (images/el3-firmware/README.md, "Host channel"). */
export function ruleCommand(spec: Spec): string {
  return `rule bridge-required ${spec['bridge-required']}`;
}

export const tzRule = defineStepKind<Spec>({
  name: 'tz-rule',
  description:
    'Sets a rule of the EL3 firmware\'s TrustZone policy through its host channel (machines with soc: real): bridge-required on|off. ' +
    'The rule holds until set again; a rule the next boot\'s kernel must meet is set, then the processor restarted.',
  schema,
  title(spec) {
    return `tz-rule: bridge-required ${spec['bridge-required']}`;
  },
  async run(spec, context) {
    const channel = requireTrustZone(context, 'tz-rule');
    const command = ruleCommand(spec);
    const answer = await sendTzCommand(channel, command, context);
    if (!answer.ok) throw new InfraError('E_TZ_COMMAND_REJECTED', `the EL3 firmware rejected "${command}": ${answer.reason}`, { evidence: [answer.line] });
    context.note(`the EL3 firmware took "${command}": ${answer.line}`);
  },
});
