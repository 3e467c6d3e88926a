import { afterEach, describe, expect, it } from 'vitest';
import { InfraError, InputError } from '../../harness/core/errors.ts';
import { ruleCommand, tzRule } from '../../harness/steps/tz-rule.ts';
import { FakeGuest } from '../fakes/fake-guest.ts';
import { FakeTrustZone } from '../fakes/fake-trust-zone.ts';
import { fakeStepContext } from '../fakes/step-context.ts';
import { rejectionOf } from '../fakes/rejection.ts';

// Lines in the firmware's own format (images/el3-firmware/host-channel.c).
const BOOT = ['tz: boot pilot-el3 version=1 cpu=0 linux_el=2'];

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0)) await step();
});

function setup(options: { boot?: string[]; deadlineMs?: number } = {}) {
  const guest = new FakeGuest();
  const trustZone = new FakeTrustZone(options.boot ?? BOOT);
  cleanup.push(() => trustZone.dispose(), () => guest.close());
  return { ...fakeStepContext({ guest, trustZone, ...options }), trustZone };
}

const spec = (body: unknown) => tzRule.schema.parse(body);

function problems(body: unknown): string[] {
  const result = tzRule.schema.safeParse(body);
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.') || '/'}: ${issue.message}`);
}

describe('tz-rule', () => {
  it('spells the firmware\'s rule command', () => {
    expect(ruleCommand(spec({ 'bridge-required': 'on' }))).toBe('rule bridge-required on');
    expect(ruleCommand(spec({ 'bridge-required': 'off' }))).toBe('rule bridge-required off');
  });

  it('sends the rule and passes once the firmware takes it', async () => {
    const { context, trustZone, assertions } = setup();
    await tzRule.run(spec({ 'bridge-required': 'on' }), context);
    expect(trustZone.sent).toEqual(['rule bridge-required on']);
    expect(assertions).toEqual(['the EL3 firmware took "rule bridge-required on": tz: host ok rule bridge-required on']);
  });

  it('a refused rule is the harness\'s problem (ERROR), quoting the firmware', async () => {
    const { context, trustZone } = setup();
    trustZone.answer = (command) => [`tz: host error usage: rule bridge-required on|off: ${command}`];
    const error = await rejectionOf(tzRule.run(spec({ 'bridge-required': 'off' }), context), InfraError);
    expect(error.code).toBe('E_TZ_COMMAND_REJECTED');
    expect(error.message).toBe('the EL3 firmware rejected "rule bridge-required off": usage: rule bridge-required on|off');
    expect(error.evidence).toEqual(['tz: host error usage: rule bridge-required on|off: rule bridge-required off']);
  });

  it('no answer by the step deadline is an ERROR', async () => {
    const { context, trustZone } = setup({ deadlineMs: 150 });
    trustZone.answer = () => [];
    const error = await rejectionOf(tzRule.run(spec({ 'bridge-required': 'on' }), context), InfraError);
    expect(error.code).toBe('E_TZ_NO_ACK');
    expect(error.message).toMatch(/^the EL3 firmware did not answer "rule bridge-required on" within \d+ ms$/);
  });

  it('without a TrustZone channel: an INPUT error saying the scenario needs soc: real', async () => {
    const guest = new FakeGuest();
    cleanup.push(() => guest.close());
    const { context } = fakeStepContext({ guest });
    const error = await rejectionOf(tzRule.run(spec({ 'bridge-required': 'on' }), context), InputError);
    expect(error.code).toBe('E_TZ_UNAVAILABLE');
    expect(error.message).toMatch(/^tz-rule reads or drives TrustZone/);
  });

  it('titles say the rule', () => {
    expect(tzRule.title(spec({ 'bridge-required': 'on' }))).toBe('tz-rule: bridge-required on');
  });

  it('bad input: only on or off, only known rules', () => {
    expect(problems({ 'bridge-required': true })).toEqual([expect.stringMatching(/^bridge-required: .*"on"\|"off"/)]);
    expect(problems({ 'bridge-required': 'yes' })).toHaveLength(1);
    expect(problems({ 'shm-bridge': 'on' })).toHaveLength(2);
    expect(problems({})).toHaveLength(1);
  });
});
