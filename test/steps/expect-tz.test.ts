import { afterEach, describe, expect, it } from 'vitest';
import { InputError } from '../../harness/core/errors.ts';
import { expectTz } from '../../harness/steps/expect-tz.ts';
import { FakeGuest } from '../fakes/fake-guest.ts';
import { FakeTrustZone } from '../fakes/fake-trust-zone.ts';
import { fakeStepContext } from '../fakes/step-context.ts';
import { failureOf, rejectionOf } from '../fakes/rejection.ts';

// Lines in the firmware's own format, from images/el3-firmware/README.md ("Host channel").
const BOOT = ['tz: boot pilot-el3 version=1 cpu=0 linux_el=2', 'tz: boot entering linux el=2 entry=0x40200000 dtb=0x4c000000'];
const ADSP_INIT = 'tz: smc pas init_image pas=1 meta=0x41a00000 ok adsp elf32 phnum=5 entry=0x8b800000 span=0x28000 relocatable';
const ADSP_SETUP = 'tz: smc pas mem_setup pas=1 addr=0x7c200000 size=0x28000 ok';
const ADSP_AUTH = 'tz: smc pas auth_and_reset pas=1 ok adsp segments=3 verified base=0x7c200000';
const ADSP_UP = 'tz: remote adsp state booting->running (booted)';
const CDSP_INIT = 'tz: smc pas init_image pas=18 meta=0x41b00000 ok cdsp elf32 phnum=5 entry=0x8b800000 span=0x28000 relocatable';
const CDSP_SETUP = 'tz: smc pas mem_setup pas=18 addr=0x7c400000 size=0x28000 ok';
const CDSP_AUTH_REFUSED = 'tz: smc pas auth_and_reset pas=18 refused: fault refuse-auth';
const CDSP_HASH_REFUSED = 'tz: smc pas auth_and_reset pas=18 refused: segment 3 hash mismatch (paddr=0x8b800000 filesz=0x1000)';
const BRIDGE_CREATE = 'tz: bridge create handle=0x5b000001 addr=0x7c200000 size=0x28000 ns_perm=0x6 s_perm=0x6 vmids=0x3';
const BRIDGE_DELETE = 'tz: bridge delete handle=0x5b000001 addr=0x7c200000 size=0x28000';
const BRIDGE_REFUSED = 'tz: bridge create addr=0x7c200000 size=0x28000 refused: overlaps handle=0x5b000001';
const SIGNATURE_REFUSED = 'tz: smc pas init_image pas=1 meta=0x41a00000 refused: signature does not verify with the OEM key';

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0)) await step();
});

function setup(options: { boot?: string[]; deadlineMs?: number; previousTzWindowStart?: number } = {}) {
  const guest = new FakeGuest();
  const trustZone = new FakeTrustZone(options.boot ?? BOOT);
  cleanup.push(() => trustZone.dispose(), () => guest.close());
  return { ...fakeStepContext({ guest, trustZone, ...options }), trustZone };
}

function spec(body: unknown) {
  return expectTz.schema.parse(body);
}

function problems(body: unknown): string[] {
  const result = expectTz.schema.safeParse(body);
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.') || '/'}: ${issue.message}`);
}

describe('expect-tz', () => {
  it('sequence: passes on the PAS calls TrustZone accepted for that processor, in order, noting them', async () => {
    const { context, trustZone, assertions } = setup();
    trustZone.log(ADSP_INIT, CDSP_INIT, ADSP_SETUP, ADSP_AUTH, ADSP_UP);
    await expectTz.run(spec({ pas: 'adsp', sequence: ['init_image', 'mem_setup', 'auth_and_reset'] }), context);
    expect(assertions).toEqual(['tz log has in order: adsp (pas=1) init_image ok, adsp (pas=1) mem_setup ok, adsp (pas=1) auth_and_reset ok']);
  });

  it('sequence: another processor\'s calls (pas=18) do not count for adsp (pas=1)', async () => {
    const { context, trustZone } = setup();
    trustZone.log(CDSP_INIT, CDSP_SETUP);
    const failure = await failureOf(expectTz.run(spec({ pas: 'adsp', sequence: ['init_image'] }), context));
    expect(failure.code).toBe('F_TZ_SEQUENCE');
    expect(failure.message).toBe('no tz line adsp (pas=1) init_image ok since the step began');
  });

  it('sequence: a refused call fails with TrustZone\'s reason and the window\'s tz lines as evidence', async () => {
    const { context, trustZone } = setup();
    trustZone.log(CDSP_INIT, CDSP_SETUP, CDSP_AUTH_REFUSED);
    const failure = await failureOf(expectTz.run(spec({ pas: 'cdsp', sequence: ['init_image', 'mem_setup', 'auth_and_reset'] }), context));
    expect(failure.code).toBe('F_TZ_SEQUENCE');
    expect(failure.message).toBe('no tz line cdsp (pas=18) auth_and_reset ok after mem_setup since the step began');
    expect(failure.evidence).toEqual([`TrustZone refused it: ${CDSP_AUTH_REFUSED}`, 'tz lines since the step began:', CDSP_INIT, CDSP_SETUP, CDSP_AUTH_REFUSED]);
  });

  it('sequence: out of order says the call appears only earlier', async () => {
    const { context, trustZone } = setup();
    trustZone.log(ADSP_SETUP, ADSP_INIT);
    const failure = await failureOf(expectTz.run(spec({ pas: 'adsp', sequence: ['mem_setup', 'init_image', 'mem_setup'] }), context));
    expect(failure.message).toBe(`no tz line adsp (pas=1) mem_setup ok after init_image (it appears only earlier: ${ADSP_SETUP}) since the step began`);
  });

  it('since: step (default) does not see boot lines; since: boot does; since: previous sees the previous step', async () => {
    const boot = [...BOOT, ADSP_INIT, ADSP_SETUP, ADSP_AUTH];
    const { context } = setup({ boot, previousTzWindowStart: 3 });
    const failure = await failureOf(expectTz.run(spec({ contains: 'pilot-el3 version=1' }), context));
    expect(failure.code).toBe('F_TZ_MISSING');
    expect(failure.message).toBe('no tz line containing "pilot-el3 version=1" since the step began');
    expect(failure.evidence).toEqual(['tz lines since the step began:', '(no tz log lines in this window)']);
    await expectTz.run(spec({ contains: 'pilot-el3 version=1', since: 'boot' }), context);
    await expectTz.run(spec({ pas: 'adsp', sequence: ['mem_setup', 'auth_and_reset'], since: 'previous' }), context);
    await expect(expectTz.run(spec({ pas: 'adsp', sequence: ['init_image'], since: 'previous' }), context)).rejects.toThrow(/since the previous step began/);
  });

  it('within: waits for lines as they arrive, passing over the same lines logged before the window', async () => {
    const { context, trustZone, assertions } = setup({ boot: [...BOOT, ADSP_INIT, ADSP_SETUP, ADSP_AUTH] });
    trustZone.logAfter(30, ADSP_INIT);
    trustZone.logAfter(60, ADSP_SETUP, ADSP_AUTH);
    const started = Date.now();
    await expectTz.run(spec({ pas: 'adsp', sequence: ['init_image', 'mem_setup', 'auth_and_reset'], within: '2s' }), context);
    expect(Date.now() - started).toBeGreaterThanOrEqual(50);
    expect(assertions).toHaveLength(1);
  });

  it('within: a line that never comes fails once the wait is over, saying how long it waited', async () => {
    const { context, trustZone } = setup({ boot: [...BOOT, ADSP_INIT] });
    trustZone.logAfter(10, ADSP_UP);
    const failure = await failureOf(expectTz.run(spec({ pas: 'adsp', sequence: ['init_image'], within: '100ms' }), context));
    expect(failure.message).toBe('no tz line adsp (pas=1) init_image ok since the step began (waited up to 100 ms)');
    expect(failure.evidence).toEqual(['tz lines since the step began:', ADSP_UP]);
  });

  it('within: an abort ends the wait', async () => {
    const { context, abort } = setup();
    const waiting = expectTz.run(spec({ bridge: 'created', within: '10s' }), context);
    setTimeout(() => abort(), 20);
    await expect(waiting).rejects.toThrow(/interrupted/);
  });

  it('bridge: created and deleted lines count, a refused create does not', async () => {
    const { context, trustZone, assertions } = setup();
    trustZone.log(BRIDGE_REFUSED);
    await expect(expectTz.run(spec({ bridge: 'created' }), context)).rejects.toThrow('no tz line an SHM bridge created since the step began');
    trustZone.log(BRIDGE_CREATE, 'tz: bridge delete handle=0x5b000009 refused: no such bridge');
    await expect(expectTz.run(spec({ bridge: ['created', 'deleted'] }), context)).rejects.toThrow('no tz line an SHM bridge deleted');
    trustZone.log(BRIDGE_DELETE);
    await expectTz.run(spec({ bridge: ['created', 'deleted'] }), context);
    expect(assertions.slice(-2)).toEqual([`tz log has an SHM bridge created: ${BRIDGE_CREATE}`, `tz log has an SHM bridge deleted: ${BRIDGE_DELETE}`]);
  });

  it('refused: matches the call, the processor when given, and the reason text', async () => {
    const { context, trustZone } = setup();
    trustZone.log(CDSP_HASH_REFUSED, SIGNATURE_REFUSED);
    await expectTz.run(spec({ refused: 'auth_and_reset', pas: 'cdsp' }), context);
    await expectTz.run(spec({ refused: 'auth_and_reset', reason: 'hash mismatch' }), context);
    await expectTz.run(spec({ refused: 'init_image', pas: 'adsp', reason: 'signature does not verify' }), context);
    const failure = await failureOf(expectTz.run(spec({ refused: 'auth_and_reset', pas: 'adsp' }), context));
    expect(failure.code).toBe('F_TZ_MISSING');
    expect(failure.message).toBe('no tz line auth_and_reset refused for adsp (pas=1) since the step began');
    expect(failure.evidence).toEqual(['tz lines since the step began:', CDSP_HASH_REFUSED, SIGNATURE_REFUSED]);
    await expect(expectTz.run(spec({ refused: 'auth_and_reset', pas: 'cdsp', reason: 'fault refuse-auth' }), context)).rejects.toThrow(
      'no tz line auth_and_reset refused for cdsp (pas=18) with a reason containing "fault refuse-auth"',
    );
  });

  it('absent: quotes the offending tz lines; text and regex both count', async () => {
    const { context, trustZone } = setup();
    trustZone.log(CDSP_AUTH_REFUSED, 'tz: panic data abort cpu=0 esr=0x96000010 elr=0x1234 far=0x0');
    const failure = await failureOf(expectTz.run(spec({ absent: ['refused:', 'tz: panic .* cpu=\\d', 'not here'] }), context));
    expect(failure.code).toBe('F_TZ_PRESENT');
    expect(failure.message).toBe('1 tz line matching "refused:" since the step began, expected none; 1 tz line matching "tz: panic .* cpu=\\d" since the step began, expected none');
    expect(failure.evidence).toEqual([CDSP_AUTH_REFUSED, 'tz: panic data abort cpu=0 esr=0x96000010 elr=0x1234 far=0x0']);
  });

  it('contains, matches and in-order read any tz line', async () => {
    const { context, trustZone, assertions } = setup();
    trustZone.log(ADSP_UP, 'tz: remote adsp stop requested: smp2p stop-ack', 'tz: smc pas shutdown pas=1 ok adsp was running');
    await expectTz.run(spec({ contains: 'smp2p stop-ack', matches: 'shutdown pas=1 ok', 'in-order': ['stop-ack', 'shutdown'] }), context);
    expect(assertions).toContain('tz log has in order: matching "stop-ack", matching "shutdown"');
    const failure = await failureOf(expectTz.run(spec({ 'in-order': ['shutdown', 'stop-ack'] }), context));
    expect(failure.code).toBe('F_TZ_ORDER');
    expect(failure.message).toMatch(/^no tz line matching "stop-ack" after "shutdown" \(it appears only earlier: tz: remote adsp stop requested/);
  });

  it('without a TrustZone channel: an INPUT error saying the scenario needs soc: real', async () => {
    const guest = new FakeGuest();
    cleanup.push(() => guest.close());
    const { context } = fakeStepContext({ guest });
    const error = await rejectionOf(expectTz.run(spec({ pas: 'adsp', sequence: ['init_image'] }), context), InputError);
    expect(error.code).toBe('E_TZ_UNAVAILABLE');
    expect(error.message).toBe('expect-tz reads or drives TrustZone, and this machine has no EL3 firmware (no tz log, no host channel)');
    expect(error.hint).toMatch(/soc: real/);
  });

  it('titles say what is expected', () => {
    expect(expectTz.title(spec({ pas: 'adsp', sequence: ['init_image', 'mem_setup', 'auth_and_reset'] }))).toBe('expect-tz: adsp init_image → mem_setup → auth_and_reset');
    expect(expectTz.title(spec({ refused: 'auth_and_reset', pas: 'cdsp' }))).toBe('expect-tz: auth_and_reset refused for cdsp');
    expect(expectTz.title(spec({ bridge: ['created', 'deleted'] }))).toBe('expect-tz: bridge created (+1 more)');
  });

  it('bad input: each mistake gets its own message', () => {
    expect(problems({})).toEqual(['/: expected at least one of contains, absent, matches, in-order, sequence, bridge, refused']);
    expect(problems({ sequence: ['init_image'] })).toEqual(['sequence: sequence needs pas: the processor whose calls they are (adsp or cdsp)']);
    expect(problems({ pas: 'adsp', contains: 'x' })).toEqual(['pas: pas goes with sequence or refused']);
    expect(problems({ contains: 'x', reason: 'hash' })).toEqual(['reason: reason goes with refused']);
    expect(problems({ absent: 'refused:', within: '5s' })).toEqual(['within: within waits for expected lines, and this step expects none (absent is judged once the step ends)']);
    expect(problems({ pas: 'mpss', sequence: ['init_image'] })).toEqual([expect.stringMatching(/^pas: .*"adsp"\|"cdsp"/)]);
    expect(problems({ pas: 'adsp', sequence: ['auth-and-reset'] })).toEqual([expect.stringMatching(/^sequence\.0: .*"init_image"\|"mem_setup"\|"auth_and_reset"\|"shutdown"/)]);
    expect(problems({ pas: 'adsp', sequence: [] })).toHaveLength(1);
    expect(problems({ bridge: 'made' })).toHaveLength(1);
    expect(problems({ contans: 'x' })).not.toEqual([]);
  });
});
