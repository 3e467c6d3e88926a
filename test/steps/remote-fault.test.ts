import { afterEach, describe, expect, it } from 'vitest';
import { InfraError, InputError } from '../../harness/core/errors.ts';
import { faultCommand, remoteFault } from '../../harness/steps/remote-fault.ts';
import { FakeGuest } from '../fakes/fake-guest.ts';
import { FakeTrustZone } from '../fakes/fake-trust-zone.ts';
import { fakeStepContext } from '../fakes/step-context.ts';
import { failureOf, rejectionOf } from '../fakes/rejection.ts';

// Lines in the firmware's own format, from images/el3-firmware/README.md and host-channel.c.
const BOOT = ['tz: boot pilot-el3 version=1 cpu=0 linux_el=2', 'tz: remote adsp state booting->running (booted)'];

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

function spec(body: unknown) {
  return remoteFault.schema.parse(body);
}

function problems(body: unknown): string[] {
  const result = remoteFault.schema.safeParse(body);
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.') || '/'}: ${issue.message}`);
}

describe('remote-fault', () => {
  it('maps each fault onto the firmware\'s host command', () => {
    expect(faultCommand('adsp', 'fatal')).toBe('fatal adsp');
    expect(faultCommand('cdsp', 'watchdog', { reason: 'dog ate it' })).toBe('wdog cdsp dog ate it');
    expect(faultCommand('adsp', 'no-stop-ack')).toBe('fault adsp no-stop-ack on');
    expect(faultCommand('cdsp', 'refuse-auth', { clear: true })).toBe('fault cdsp refuse-auth off');
    expect(faultCommand('adsp', 'corrupt-boot-dma', { clear: false })).toBe('fault adsp corrupt-boot-dma on');
  });

  it('sends the command and passes once the firmware acknowledges it', async () => {
    const { context, trustZone, assertions } = setup();
    await remoteFault.run(spec({ processor: 'adsp', fault: 'fatal', reason: 'pilot: scenario crash' }), context);
    expect(trustZone.sent).toEqual(['fatal adsp pilot: scenario crash']);
    expect(assertions).toEqual(['the EL3 firmware took "fatal adsp pilot: scenario crash": tz: host ok fatal adsp pilot: scenario crash']);
  });

  it('clear turns a latched fault off', async () => {
    const { context, trustZone } = setup();
    await remoteFault.run(spec({ processor: 'cdsp', fault: 'refuse-auth' }), context);
    await remoteFault.run(spec({ processor: 'cdsp', fault: 'refuse-auth', clear: true }), context);
    expect(trustZone.sent).toEqual(['fault cdsp refuse-auth on', 'fault cdsp refuse-auth off']);
  });

  it('a crash of a processor that is not running fails, quoting its last state change', async () => {
    const { context, trustZone } = setup({ boot: [...BOOT, 'tz: remote cdsp state booting->failed (boot block CRC mismatch)'] });
    trustZone.answer = (command) => [`tz: host error processor is not running: ${command}`];
    const failure = await failureOf(remoteFault.run(spec({ processor: 'cdsp', fault: 'watchdog' }), context));
    expect(failure.code).toBe('F_TZ_NOT_RUNNING');
    expect(failure.message).toBe('cdsp is not running, so the EL3 firmware could not inject watchdog: tz: host error processor is not running: wdog cdsp');
    expect(failure.evidence).toEqual(['its last state change: tz: remote cdsp state booting->failed (boot block CRC mismatch)']);
  });

  it('a usage error from the firmware is the harness\'s problem (ERROR)', async () => {
    const { context, trustZone } = setup();
    trustZone.answer = (command) => [`tz: host error usage: fault <proc> no-stop-ack|refuse-auth|corrupt-boot-dma on|off: ${command}`];
    const error = await rejectionOf(remoteFault.run(spec({ processor: 'adsp', fault: 'no-stop-ack' }), context), InfraError);
    expect(error.code).toBe('E_TZ_COMMAND_REJECTED');
    expect(error.message).toBe('the EL3 firmware rejected "fault adsp no-stop-ack on": usage: fault <proc> no-stop-ack|refuse-auth|corrupt-boot-dma on|off');
  });

  it('no answer by the step deadline is an ERROR with the tz lines since the command, and an earlier answer does not count', async () => {
    const { context, trustZone } = setup({ boot: [...BOOT, 'tz: host ok fatal adsp'], deadlineMs: 150 });
    trustZone.answer = () => ['tz: panic sync abort cpu=0 esr=0x96000010 elr=0x1234 far=0x0'];
    const error = await rejectionOf(remoteFault.run(spec({ processor: 'adsp', fault: 'fatal' }), context), InfraError);
    expect(error.code).toBe('E_TZ_NO_ACK');
    expect(error.message).toMatch(/^the EL3 firmware did not answer "fatal adsp" within \d+ ms$/);
    expect(error.evidence).toEqual(['tz lines since the command was sent:', 'tz: panic sync abort cpu=0 esr=0x96000010 elr=0x1234 far=0x0']);
    expect(error.hint).toBe('the firmware panicked: tz: panic sync abort cpu=0 esr=0x96000010 elr=0x1234 far=0x0');
  });

  it('an abort ends the wait for the answer', async () => {
    const { context, trustZone, abort } = setup();
    trustZone.answer = () => [];
    const waiting = remoteFault.run(spec({ processor: 'adsp', fault: 'fatal' }), context);
    setTimeout(() => abort(), 20);
    await expect(waiting).rejects.toThrow(/interrupted/);
  });

  it('without a TrustZone channel: an INPUT error saying the scenario needs soc: real', async () => {
    const guest = new FakeGuest();
    cleanup.push(() => guest.close());
    const { context } = fakeStepContext({ guest });
    const error = await rejectionOf(remoteFault.run(spec({ processor: 'adsp', fault: 'fatal' }), context), InputError);
    expect(error.code).toBe('E_TZ_UNAVAILABLE');
    expect(error.message).toMatch(/^remote-fault reads or drives TrustZone/);
    expect(error.hint).toMatch(/soc: real/);
  });

  it('titles say what is injected', () => {
    expect(remoteFault.title(spec({ processor: 'adsp', fault: 'fatal' }))).toBe('remote-fault: adsp fatal');
    expect(remoteFault.title(spec({ processor: 'cdsp', fault: 'corrupt-boot-dma' }))).toBe('remote-fault: cdsp corrupt-boot-dma on');
    expect(remoteFault.title(spec({ processor: 'cdsp', fault: 'refuse-auth', clear: true }))).toBe('remote-fault: cdsp refuse-auth off');
  });

  it('bad input: each mistake gets its own message', () => {
    expect(problems({ processor: 'adsp', fault: 'fatal', clear: true })).toEqual([
      'clear: clear goes with no-stop-ack, refuse-auth, corrupt-boot-dma: fatal happens once and has nothing to clear',
    ]);
    expect(problems({ processor: 'adsp', fault: 'refuse-auth', reason: 'x' })).toEqual(['reason: reason goes with fatal or watchdog']);
    expect(problems({ processor: 'adsp', fault: 'fatal', reason: 'two\nlines' })).toEqual([expect.stringMatching(/^reason: expected up to 80 printable ASCII characters/)]);
    expect(problems({ processor: 'adsp', fault: 'fatal', reason: 'x'.repeat(81) })).toHaveLength(1);
    expect(problems({ processor: 'mpss', fault: 'fatal' })).toEqual([expect.stringMatching(/^processor: .*"adsp"\|"cdsp"/)]);
    expect(problems({ processor: 'adsp', fault: 'crash' })).toEqual([expect.stringMatching(/^fault: .*"fatal"\|"watchdog"\|"no-stop-ack"/)]);
    expect(problems({ fault: 'fatal' })).toHaveLength(1);
  });
});
