import { afterEach, describe, expect, it } from 'vitest';
import { AbortedError, InfraError } from '../../harness/core/errors.ts';
import { expectRproc } from '../../harness/steps/expect-rproc.ts';
import { FakeGuest } from '../fakes/fake-guest.ts';
import { FakeSoc } from '../fakes/fake-soc.ts';
import { kernelRecord } from '../fakes/kmsg.ts';
import { fakeStepContext } from '../fakes/step-context.ts';
import { failureOf } from '../fakes/rejection.ts';

const BOOT = ['Linux version 6.1.0-56-arm64 (debian-kernel@lists.debian.org) #1 SMP Debian 6.1.192-2', 'CPU: All CPU(s) started at EL2'];

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** cdsp registered first, so adsp is remoteproc1: lookups must go by name. */
function setup(options: { deadlineMs?: number; boot?: string[]; windowStart?: number; previousWindowStart?: number } = {}) {
  const guest = new FakeGuest({ records: [...BOOT, ...(options.boot ?? [])] });
  const soc = new FakeSoc(guest);
  soc.addProcessor({ device: 'remoteproc0', name: 'cdsp', state: 'running', firmware: 'qcom/sa8775p/cdsp0.mbn' });
  soc.addProcessor({ device: 'remoteproc1', name: 'adsp', state: 'running', firmware: 'qcom/sa8775p/adsp.mbn' });
  cleanups.push(() => guest.close(), () => soc.dispose());
  return { ...fakeStepContext({ guest, ...options }), soc };
}

function spec(body: unknown) {
  return expectRproc.schema.parse(body);
}


describe('expect-rproc', () => {
  it('short form: finds processors by name whatever their index, and notes each', async () => {
    const { context, assertions } = setup();
    await expectRproc.run(spec({ adsp: 'running', cdsp: 'running' }), context);
    expect(assertions).toEqual(['adsp (remoteproc1) is running', 'cdsp (remoteproc0) is running']);
  });

  it('fails on the wrong state, naming the processor and its device, without waiting when there is no within', async () => {
    const { context, soc } = setup();
    soc.processor('adsp').state = 'offline';
    soc.setStateAfter('adsp', 100, 'running');
    const started = Date.now();
    const failure = await failureOf(expectRproc.run(spec({ adsp: 'running' }), context));
    expect(Date.now() - started).toBeLessThan(100);
    expect(failure.code).toBe('F_RPROC_STATE');
    expect(failure.message).toBe('adsp (remoteproc1) is offline, expected running (read once; add within: to wait)');
    expect(failure.evidence).toContain('registered: cdsp → remoteproc0, adsp → remoteproc1');
    expect(failure.evidence).toContainEqual(expect.stringMatching(/^adsp states seen: offline \(\+\d+ ms\)$/));
  });

  it('waits for a late state change and reports the states it went through', async () => {
    const { context, soc, assertions } = setup();
    soc.processor('adsp').state = 'offline';
    soc.setStateAfter('adsp', 300, 'running', 'remoteproc remoteproc1: remote processor adsp is now up');
    const started = Date.now();
    await expectRproc.run(spec({ adsp: 'running', within: '5s' }), context);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(assertions).toEqual([expect.stringMatching(/^adsp \(remoteproc1\) is running after offline \(\+\d+ ms\) → running \(\+(?:[3-9]\d\d ms|\d\.\d s)\)$/)]);
  });

  it('gives up at within, with the history, and says when the step deadline cut the wait short', async () => {
    const { context, soc } = setup();
    soc.processor('adsp').state = 'offline';
    soc.setStateAfter('adsp', 150, 'crashed');
    const started = Date.now();
    const failure = await failureOf(expectRproc.run(spec({ adsp: 'running', within: '400ms' }), context));
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThanOrEqual(390);
    expect(waited).toBeLessThan(1_500);
    expect(failure.message).toMatch(/^adsp \(remoteproc1\) is crashed, expected running \(waited 4\d\d ms\)$/);
    expect(failure.evidence).toContainEqual(expect.stringMatching(/^adsp states seen: offline \(\+\d+ ms\) → crashed \(\+\d+ ms\)$/));

    const short = setup({ deadlineMs: 300 });
    short.soc.processor('cdsp').state = 'offline';
    const cut = await failureOf(expectRproc.run(spec({ cdsp: 'running', within: '30s' }), short.context));
    expect(cut.message).toMatch(/\(waited \d+ ms, cut short by the step deadline\)$/);
  });

  it('a processor that does not exist fails, listing the ones that do (name → remoteprocN)', async () => {
    const { context } = setup();
    const failure = await failureOf(expectRproc.run(spec({ adsp: 'running', wpss: 'running' }), context));
    expect(failure.code).toBe('F_RPROC_MISSING');
    expect(failure.message).toBe("no remote processor named 'wpss'; registered: cdsp → remoteproc0, adsp → remoteproc1 (read once; add within: to wait)");
    expect(failure.hint).toMatch(/never by remoteprocN/);
  });

  it('waits for a processor that registers late', async () => {
    const { context, soc, assertions } = setup();
    setTimeout(() => soc.addProcessor({ device: 'remoteproc2', name: 'gpdsp0', state: 'running' }), 200);
    await expectRproc.run(spec({ gpdsp0: 'running', within: '3s' }), context);
    expect(assertions).toEqual([expect.stringMatching(/^gpdsp0 \(remoteproc2\) is running after \(not registered\) \(\+\d+ ms\) → running/)]);
  });

  it('long form: firmware, recovery and crashes since boot', async () => {
    const { context, assertions } = setup({
      boot: [
        'remoteproc remoteproc1: crash detected in adsp: type watchdog',
        'remoteproc remoteproc1: handling crash #1 in adsp',
        'remoteproc remoteproc0: crash detected in cdsp: type fatal error',
      ],
    });
    await expectRproc.run(spec({ name: 'adsp', state: 'running', firmware: 'qcom/sa8775p/adsp.mbn', crashes: 1, recovery: 'enabled' }), context);
    expect(assertions).toEqual([
      'adsp (remoteproc1) is running',
      'adsp (remoteproc1) firmware is qcom/sa8775p/adsp.mbn',
      'adsp (remoteproc1) recovery is enabled',
      'the kernel logged 1 crash of adsp since boot',
    ]);
  });

  it('counts only the kernel’s crash lines for exactly this processor, in the window asked for', async () => {
    const guest = new FakeGuest({ records: BOOT });
    const soc = new FakeSoc(guest);
    soc.addProcessor({ device: 'remoteproc0', name: 'adsp', state: 'running' });
    cleanups.push(() => guest.close(), () => soc.dispose());
    guest.kernelLog.log('remoteproc remoteproc0: crash detected in adsp: type watchdog');
    const previousStart = guest.kernelLog.nextSeq();
    guest.kernelLog.log(
      'remoteproc remoteproc0: crash detected in adsp: type fatal error',
      'remoteproc remoteproc3: crash detected in adsp2: type watchdog',
      kernelRecord('crash detected in adsp: type watchdog', { facility: 1 }),
    );
    const { context } = fakeStepContext({ guest, previousWindowStart: previousStart });
    await expectRproc.run(spec({ name: 'adsp', crashes: 2 }), context);
    await expectRproc.run(spec({ name: 'adsp', crashes: { count: 1, since: 'previous' } }), context);
    await expectRproc.run(spec({ name: 'adsp', crashes: { count: 0, since: 'step' } }), context);

    const failure = await failureOf(expectRproc.run(spec({ name: 'adsp', crashes: 1 }), context));
    expect(failure.code).toBe('F_RPROC_CRASHES');
    expect(failure.message).toBe('the kernel logged 2 crashes of adsp since boot, expected 1 (read once; add within: to wait)');
    expect(failure.evidence.slice(0, 2)).toEqual([
      expect.stringMatching(/\] remoteproc remoteproc0: crash detected in adsp: type watchdog$/),
      expect.stringMatching(/\] remoteproc remoteproc0: crash detected in adsp: type fatal error$/),
    ]);
  });

  it('waits for a crash line that arrives later, and reads lines not yet received before judging', async () => {
    const { context, guest, soc } = setup();
    guest.kernelLog.logAfter(200, 'remoteproc remoteproc1: crash detected in adsp: type watchdog');
    soc.setStateAfter('adsp', 250, 'crashed');
    await expectRproc.run(spec({ name: 'adsp', state: 'crashed', crashes: 1, within: '3s' }), context);

    const again = setup();
    again.guest.kernelLog.logUnreceived('remoteproc remoteproc1: crash detected in adsp: type watchdog');
    await expectRproc.run(spec({ name: 'adsp', crashes: 1 }), again.context);
  });

  it('reports every mismatch, firmware and recovery included', async () => {
    const { context, soc } = setup();
    soc.processor('adsp').recovery = 'disabled';
    const failure = await failureOf(expectRproc.run(spec({ name: 'adsp', state: 'offline', firmware: 'qcom/sa8775p/adsp2.mbn', recovery: 'enabled' }), context));
    expect(failure.code).toBe('F_RPROC_STATE');
    expect(failure.message).toBe(
      'adsp (remoteproc1) is running, expected offline; adsp (remoteproc1) firmware is qcom/sa8775p/adsp.mbn, expected qcom/sa8775p/adsp2.mbn; ' +
        'adsp (remoteproc1) recovery is disabled, expected enabled (read once; add within: to wait)',
    );
  });

  it('stops waiting at once on abort and on the machine’s death', async () => {
    const aborted = setup();
    aborted.soc.processor('adsp').state = 'offline';
    setTimeout(() => aborted.abort(new AbortedError('interrupted by SIGINT')), 100);
    const started = Date.now();
    await expect(expectRproc.run(spec({ adsp: 'running', within: '10s' }), aborted.context)).rejects.toThrow('interrupted by SIGINT');
    expect(Date.now() - started).toBeLessThan(1_000);

    const dying = setup();
    dying.soc.processor('adsp').state = 'offline';
    setTimeout(() => dying.guest.machine.die(), 100);
    await expect(expectRproc.run(spec({ adsp: 'running', within: '10s' }), dying.context)).rejects.toMatchObject({ code: 'E_QEMU_EXITED' });
  });

  it('a shell that fails is an infrastructure error, not a kernel failure', async () => {
    const { context, guest } = setup();
    guest.onExec(/pilot:rproc-list/, { code: 127, stderr: 'sh: cat: not found' });
    const error = await expectRproc.run(spec({ adsp: 'running' }), context).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InfraError);
    expect(error).toMatchObject({ code: 'E_GUEST_SHELL', message: 'listing the remote processors: the shell exited with 127: sh: cat: not found' });
  });

  it('schema: both forms parse to one shape; mixed or empty forms are refused', () => {
    expect(spec({ adsp: 'running', cdsp: 'offline', within: '30s' })).toEqual({
      processors: [
        { name: 'adsp', state: 'running' },
        { name: 'cdsp', state: 'offline' },
      ],
      within: 30_000,
    });
    expect(spec({ name: 'adsp', crashes: { count: 2, since: 'previous' } })).toEqual({
      processors: [{ name: 'adsp', state: undefined, firmware: undefined, crashes: { count: 2, since: 'previous' }, recovery: undefined }],
      within: undefined,
    });
    const messages = (body: unknown) => expectRproc.schema.safeParse(body).error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    expect(messages({ adsp: 'runing' })).toEqual([expect.stringMatching(/^adsp: .*running/)]);
    expect(messages({ name: 'adsp', state: 'running', cdsp: 'running' })).toEqual(['cdsp: with name: (the long form), write the state as state: "running"']);
    expect(messages({ state: 'running' })).toEqual(['state: state: needs name: (the long form: { name: adsp, state: … })', expect.stringMatching(/^: expected processors/)]);
    expect(messages({ within: '3s' })).toEqual([expect.stringMatching(/^: expected processors and their states/)]);
    expect(messages({ name: 'adsp' })).toEqual([': expected at least one of state, firmware, crashes, recovery next to name']);
    expect(messages({ name: 'adsp', crashes: -1 })).toHaveLength(1);
  });
});
