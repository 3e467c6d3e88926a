import { afterEach, describe, expect, it } from 'vitest';
import { expectDmesg } from '../../harness/steps/expect-dmesg.ts';
import { FakeGuest } from '../fakes/fake-guest.ts';
import { fakeStepContext } from '../fakes/step-context.ts';
import { failureOf } from '../fakes/rejection.ts';

const BOOT = [
  'Linux version 6.1.0-56-arm64 (debian-kernel@lists.debian.org) #1 SMP Debian 6.1.192-2',
  'CPU: All CPU(s) started at EL2',
  'kvm [1]: VHE mode initialized successfully',
  'arm-smmu-v3 9050000.smmuv3: ias 44-bit, oas 44-bit (features 0x00008305)',
];

const guests: FakeGuest[] = [];
function setup(options: { deadlineMs?: number } = {}) {
  const guest = new FakeGuest({ records: BOOT });
  guests.push(guest);
  return fakeStepContext({ guest, ...options });
}
afterEach(async () => {
  for (const guest of guests.splice(0)) await guest.close();
});

/** A step whose previous step logged `line`: its own window starts after it. */
function afterPreviousStepLogged(line: string) {
  const guest = new FakeGuest({ records: BOOT });
  guests.push(guest);
  const previousStart = guest.kernelLog.nextSeq();
  guest.kernelLog.log(line);
  return fakeStepContext({ guest, previousWindowStart: previousStart });
}

function spec(body: unknown) {
  return expectDmesg.schema.parse(body);
}


describe('expect-dmesg', () => {
  it('contains and matches: passes on lines logged during the step, noting each', async () => {
    const { context, guest, assertions } = setup();
    guest.kernelLog.log('remoteproc remoteproc0: powering up adsp', 'remoteproc remoteproc0: remote processor adsp is now up');
    await expectDmesg.run(spec({ contains: 'remote processor adsp is now up', matches: ['powering up \\w+$'] }), context);
    expect(assertions).toEqual([
      'dmesg has a line containing "remote processor adsp is now up": remoteproc remoteproc0: remote processor adsp is now up',
      'dmesg has a line matching /powering up \\w+$/: remoteproc remoteproc0: powering up adsp',
    ]);
  });

  it('since: step (default) does not see boot lines; since: boot does', async () => {
    const { context } = setup();
    const failure = await failureOf(expectDmesg.run(spec({ contains: 'kvm [1]: VHE mode' }), context));
    expect(failure.code).toBe('F_DMESG_MISSING');
    expect(failure.message).toBe('no line containing "kvm [1]: VHE mode" since the step began');
    expect(failure.evidence).toEqual(['records seen since the step began:', '(no kernel log records in this window)']);
    await expectDmesg.run(spec({ contains: 'kvm [1]: VHE mode', since: 'boot' }), context);
  });

  it('since: previous sees what the previous step caused', async () => {
    const { context } = afterPreviousStepLogged('remoteproc remoteproc0: stopped remote processor adsp');
    await expectDmesg.run(spec({ contains: 'stopped remote processor adsp', since: 'previous' }), context);
    await expect(expectDmesg.run(spec({ contains: 'stopped remote processor adsp' }), context)).rejects.toThrow(/since the step began/);
  });

  it('a line the previous step caused: the failure says when it was logged and that since: previous would see it', async () => {
    const { context } = afterPreviousStepLogged('remoteproc remoteproc0: stopped remote processor adsp');
    const failure = await failureOf(expectDmesg.run(spec({ contains: 'stopped remote processor adsp', within: '50ms' }), context));
    expect(failure.code).toBe('F_DMESG_MISSING');
    expect(failure.hint).toMatch(/^the line was logged during the previous step, at \d+\.\d\d s \(remoteproc remoteproc0: stopped remote processor adsp\): did you mean `since: previous`\?$/);
  });

  it('a boot line missed by a step window: the hint names since: boot, and no hint when the line is nowhere', async () => {
    const { context } = setup();
    const failure = await failureOf(expectDmesg.run(spec({ contains: 'kvm [1]: VHE mode' }), context));
    expect(failure.hint).toMatch(/logged before the previous step, .* did you mean `since: boot`\?/);
    const nowhere = await failureOf(expectDmesg.run(spec({ contains: 'never printed' }), context));
    expect(nowhere.hint).toBeUndefined();
  });

  it('reads records the kernel logged but the harness had not received yet', async () => {
    const { context, guest } = setup();
    guest.kernelLog.logUnreceived('remoteproc remoteproc0: remote processor adsp is now up');
    await expectDmesg.run(spec({ contains: 'adsp is now up' }), context);
  });

  it('a missing line quotes the last ~10 records seen', async () => {
    const { context, guest } = setup();
    guest.kernelLog.log(...Array.from({ length: 12 }, (_, index) => `line ${index}`));
    const failure = await failureOf(expectDmesg.run(spec({ matches: '^never' }), context));
    expect(failure.evidence).toEqual([
      'records seen since the step began:',
      '(last 10 of 12 records)',
      ...Array.from({ length: 10 }, (_, index) => expect.stringMatching(new RegExp(`\\] line ${index + 2}$`))),
    ]);
  });

  it('absent: quotes the offending lines; text and regex both count', async () => {
    const { context, guest } = setup();
    guest.kernelLog.log('arm-smmu-v3 9050000.smmuv3: event 0x10 received:', 'kvm [1]: something');
    const failure = await failureOf(expectDmesg.run(spec({ absent: ['arm-smmu-v3 .* event 0x10', 'kvm [1]:', 'not here'] }), context));
    expect(failure.code).toBe('F_DMESG_PRESENT');
    expect(failure.message).toBe(
      '1 line matching "arm-smmu-v3 .* event 0x10" since the step began, expected none; 1 line matching "kvm [1]:" since the step began, expected none',
    );
    expect(failure.evidence).toEqual([
      expect.stringMatching(/\] arm-smmu-v3 9050000\.smmuv3: event 0x10 received:$/),
      expect.stringMatching(/\] kvm \[1\]: something$/),
    ]);
  });

  it('absent: /regex/flags is a regex only', async () => {
    const { context, guest } = setup();
    guest.kernelLog.log('remoteproc remoteproc0: START TIMED OUT');
    await expect(expectDmesg.run(spec({ absent: '/start timed out/i' }), context)).rejects.toThrow(/expected none/);
    await expectDmesg.run(spec({ absent: '/start timed out/' }), context);
  });

  it('count: min, max and equals', async () => {
    const { context, guest } = setup();
    guest.kernelLog.log('powering up adsp', 'powering up cdsp', 'powering up adsp');
    await expectDmesg.run(spec({ count: { pattern: 'powering up', equals: 3 } }), context);
    await expectDmesg.run(spec({ count: { pattern: 'adsp', min: 1, max: 2 } }), context);
    const failure = await failureOf(expectDmesg.run(spec({ count: { pattern: 'powering up', max: 2 } }), context));
    expect(failure.code).toBe('F_DMESG_COUNT');
    expect(failure.message).toBe('"powering up" matched 3 lines since the step began, expected at most 2');
    expect(failure.evidence).toHaveLength(3);
    await expect(expectDmesg.run(spec({ count: { pattern: 'cdsp', min: 2 } }), context)).rejects.toThrow('expected at least 2');
  });

  it('in-order: passes in order, fails out of order saying where the line was', async () => {
    const { context, guest } = setup();
    guest.kernelLog.log('remote processor adsp is now up', 'powering up adsp', 'remote processor adsp is now up');
    await expectDmesg.run(spec({ 'in-order': ['powering up adsp', 'now up'] }), context);
    const failure = await failureOf(expectDmesg.run(spec({ 'in-order': ['now up', 'powering up adsp', 'crash detected'] }), context));
    expect(failure.code).toBe('F_DMESG_ORDER');
    expect(failure.message).toBe('no line matching "crash detected" after "powering up adsp"');

    guest.kernelLog.log('stopped remote processor adsp');
    const reversed = await failureOf(expectDmesg.run(spec({ 'in-order': ['stopped remote', 'powering up adsp'] }), context));
    expect(reversed.message).toMatch(/^no line matching "powering up adsp" after "stopped remote" \(it appears only earlier: \[ *[\d.]+\] powering up adsp\)$/);
  });

  it('within: waits for a record that arrives later', async () => {
    const { context, guest, assertions } = setup();
    guest.kernelLog.logAfter(80, 'remoteproc remoteproc0: remote processor adsp is now up');
    const started = Date.now();
    await expectDmesg.run(spec({ contains: 'adsp is now up', within: '2s' }), context);
    expect(Date.now() - started).toBeGreaterThanOrEqual(60);
    expect(assertions[0]).toMatch(/adsp is now up/);
    expect(guest.kernelLog.listenerCount).toBe(0);
  });

  it('within: waits for in-order lines one after the other', async () => {
    const { context, guest } = setup();
    guest.kernelLog.log('powering up adsp');
    guest.kernelLog.logAfter(40, 'remote processor adsp is now up');
    await expectDmesg.run(spec({ 'in-order': ['powering up adsp', 'now up'], within: '2s' }), context);
  });

  it('within: fails after the wait, saying how long it waited', async () => {
    const { context, guest } = setup();
    guest.kernelLog.logAfter(10, 'remoteproc remoteproc0: powering up adsp');
    const started = Date.now();
    const failure = await failureOf(expectDmesg.run(spec({ contains: 'adsp is now up', within: '150ms' }), context));
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(failure.message).toBe('no line containing "adsp is now up" since the step began (waited up to 150 ms)');
    expect(failure.evidence.at(-1)).toMatch(/powering up adsp$/);
    expect(guest.kernelLog.listenerCount).toBe(0);
  });

  it('within: checks absence over everything seen once waiting is over', async () => {
    const { context, guest } = setup();
    guest.kernelLog.logAfter(30, 'arm-smmu-v3 9050000.smmuv3: event 0x10 received:');
    guest.kernelLog.logAfter(60, 'remote processor adsp is now up');
    await expect(expectDmesg.run(spec({ contains: 'now up', absent: 'event 0x10', within: '2s' }), context)).rejects.toThrow(/expected none/);
  });

  it('within: is cut short by the step deadline', async () => {
    const { context } = setup({ deadlineMs: 100 });
    const started = Date.now();
    await expect(expectDmesg.run(spec({ contains: 'never', within: '1m' }), context)).rejects.toThrow(
      /no line containing "never" since the step began \(waited up to \d+ ms, cut short by the step deadline\)/,
    );
    expect(Date.now() - started).toBeLessThan(2_500);
  });

  it('within: rejects at once when the step is aborted', async () => {
    const { context, abort } = setup();
    setTimeout(() => abort(new Error('Ctrl-C')), 30);
    await expect(expectDmesg.run(spec({ contains: 'never', within: '1m' }), context)).rejects.toThrow('Ctrl-C');
  });

  it('titles name the first check and how many more there are', () => {
    expect(expectDmesg.title(spec({ contains: 'kvm [1]: VHE mode initialized successfully' }))).toBe(
      'expect-dmesg: contains "kvm [1]: VHE mode initialized successfully"',
    );
    expect(expectDmesg.title(spec({ matches: 'a', absent: ['b', 'c'] }))).toBe('expect-dmesg: matches /a/ (+2 more)');
  });
});
