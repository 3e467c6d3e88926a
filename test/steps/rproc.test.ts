import { afterEach, describe, expect, it } from 'vitest';
import { InfraError } from '../../harness/core/errors.ts';
import { rproc } from '../../harness/steps/rproc.ts';
import { canonicalErrno, errnoFromShellMessage } from '../../harness/guest/rproc-sysfs.ts';
import { FakeGuest } from '../fakes/fake-guest.ts';
import { FakeSoc } from '../fakes/fake-soc.ts';
import { fakeStepContext } from '../fakes/step-context.ts';
import { failureOf } from '../fakes/rejection.ts';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** adsp is remoteproc2 and cdsp remoteproc0: writes must land on the processor named, whatever its index. */
function setup(options: { deadlineMs?: number } = {}) {
  const guest = new FakeGuest({ records: ['Linux version 6.1.0-56-arm64', 'CPU: All CPU(s) started at EL2'] });
  const soc = new FakeSoc(guest);
  soc.addProcessor({ device: 'remoteproc0', name: 'cdsp', state: 'running' });
  soc.addProcessor({ device: 'remoteproc2', name: 'adsp', state: 'offline' });
  cleanups.push(() => guest.close(), () => soc.dispose());
  return { ...fakeStepContext({ guest, ...options }), soc };
}

function spec(body: unknown) {
  return rproc.schema.parse(body);
}


describe('rproc', () => {
  it('start and stop write to the state file of the processor found by name', async () => {
    const { context, soc, assertions, guest } = setup();
    await rproc.run(spec({ name: 'adsp', do: 'start' }), context);
    await rproc.run(spec({ name: 'adsp', do: 'stop' }), context);
    expect(soc.writes).toEqual([
      ['/sys/class/remoteproc/remoteproc2/state', 'start'],
      ['/sys/class/remoteproc/remoteproc2/state', 'stop'],
    ]);
    expect(assertions).toEqual([
      'start on adsp (remoteproc2): written to /sys/class/remoteproc/remoteproc2/state; state now running',
      'stop on adsp (remoteproc2): written to /sys/class/remoteproc/remoteproc2/state; state now offline',
    ]);
    expect(guest.kernelLog.records.map((record) => record.text).slice(-4)).toEqual([
      'remoteproc remoteproc2: powering up adsp',
      'remoteproc remoteproc2: Booting fw image qcom/sa8775p/adsp.mbn, size 20480',
      'remoteproc remoteproc2: remote processor adsp is now up',
      'remoteproc remoteproc2: stopped remote processor adsp',
    ]);
  });

  it('expect-errno: stop on an offline processor passes only when the core refuses it with EINVAL', async () => {
    const { context, soc, assertions } = setup();
    await rproc.run(spec({ name: 'adsp', do: 'stop', 'expect-errno': 'EINVAL' }), context);
    expect(assertions).toEqual(['stop on adsp (remoteproc2) was refused with EINVAL (Invalid argument), as expected']);
    expect(soc.processor('adsp').state).toBe('offline');
  });

  it('expect-errno: a write that succeeds fails the step', async () => {
    const { context, soc } = setup();
    soc.processor('adsp').state = 'running';
    const failure = await failureOf(rproc.run(spec({ name: 'adsp', do: 'stop', 'expect-errno': 'EINVAL' }), context));
    expect(failure.code).toBe('F_RPROC_ERRNO');
    expect(failure.message).toBe('stop on adsp (remoteproc2) succeeded, expected it to fail with EINVAL (Invalid argument)');
    expect(failure.evidence).toEqual(['kernel log since the step began:', expect.stringMatching(/\] remoteproc remoteproc2: stopped remote processor adsp$/)]);
  });

  it('expect-errno: a different errno fails the step, naming both', async () => {
    const { context } = setup();
    const failure = await failureOf(rproc.run(spec({ name: 'cdsp', firmware: 'qcom/sa8775p/cdsp1.mbn', 'expect-errno': 'EINVAL' }), context));
    expect(failure.code).toBe('F_RPROC_ERRNO');
    expect(failure.message).toBe('firmware qcom/sa8775p/cdsp1.mbn on cdsp (remoteproc0) failed with EBUSY, expected EINVAL');
    expect(failure.evidence[0]).toBe('shell: sh: write error: Device or resource busy');
  });

  it('start on a running processor is no error in 6.1: it takes a power reference, and the next stop only drops it', async () => {
    const { context, soc } = setup();
    const failure = await failureOf(rproc.run(spec({ name: 'cdsp', do: 'start', 'expect-errno': 'EBUSY' }), context));
    expect(failure.message).toBe('start on cdsp (remoteproc0) succeeded, expected it to fail with EBUSY (Device or resource busy)');
    await rproc.run(spec({ name: 'cdsp', do: 'stop' }), context);
    expect(soc.processor('cdsp').state).toBe('running');
  });

  it('without expect-errno any errno fails, quoting the error and the recent kernel log', async () => {
    const { context, soc } = setup();
    soc.processor('adsp').state = 'running';
    const failure = await failureOf(rproc.run(spec({ name: 'adsp', firmware: 'qcom/sa8775p/adsp-test.mbn' }), context));
    expect(failure.code).toBe('F_RPROC_WRITE');
    expect(failure.message).toBe(
      "firmware qcom/sa8775p/adsp-test.mbn on adsp (remoteproc2) failed with EBUSY: /sys/class/remoteproc/remoteproc2/firmware refused 'qcom/sa8775p/adsp-test.mbn'",
    );
    expect(failure.evidence).toEqual([
      'shell: sh: write error: Device or resource busy',
      'kernel log since the step began:',
      expect.stringMatching(/\] remoteproc remoteproc2: can't change firmware while running$/),
    ]);
  });

  it('firmware: written when the processor is offline', async () => {
    const { context, soc, assertions } = setup();
    await rproc.run(spec({ name: 'adsp', firmware: 'qcom/sa8775p/adsp-tampered.mbn' }), context);
    expect(soc.processor('adsp').firmware).toBe('qcom/sa8775p/adsp-tampered.mbn');
    expect(assertions).toEqual([
      'firmware qcom/sa8775p/adsp-tampered.mbn on adsp (remoteproc2): written to /sys/class/remoteproc/remoteproc2/firmware; state now offline',
    ]);
  });

  it('a boot that times out is ETIMEDOUT, which the missing-mapping scenario expects', async () => {
    const { context, soc, assertions } = setup();
    soc.processor('adsp').boot = { kind: 'timeout', afterMs: 50 };
    await rproc.run(spec({ name: 'adsp', do: 'start', 'expect-errno': 'ETIMEDOUT' }), context);
    expect(assertions).toEqual(['start on adsp (remoteproc2) was refused with ETIMEDOUT (Connection timed out), as expected']);

    const failure = await failureOf(rproc.run(spec({ name: 'adsp', do: 'start' }), context));
    expect(failure.message).toMatch(/^start on adsp \(remoteproc2\) failed with ETIMEDOUT: /);
    expect(failure.evidence).toContainEqual(expect.stringMatching(/\] qcom-pas-sim 0000:00:11\.0: start timed out$/));
  });

  it('ENOENT from the write itself (no firmware file) is the kernel’s answer, not a missing sysfs file', async () => {
    const { context, soc } = setup();
    soc.processor('adsp').boot = { kind: 'no-firmware' };
    const failure = await failureOf(rproc.run(spec({ name: 'adsp', do: 'start' }), context));
    expect(failure.message).toMatch(/^start on adsp \(remoteproc2\) failed with ENOENT/);
  });

  it('crash writes the rproc_crash_type number to debugfs; recovery follows when enabled', async () => {
    const { context, soc, guest } = setup();
    soc.processor('adsp').state = 'running';
    await rproc.run(spec({ name: 'adsp', do: 'crash' }), context);
    await rproc.run(spec({ name: 'cdsp', do: 'crash', type: 'fatal' }), context);
    await rproc.run(spec({ name: 'cdsp', do: 'crash', type: 'unknown' }), context);
    expect(soc.writes).toEqual([
      ['/sys/kernel/debug/remoteproc/remoteproc2/crash', '1'],
      ['/sys/kernel/debug/remoteproc/remoteproc0/crash', '2'],
      ['/sys/kernel/debug/remoteproc/remoteproc0/crash', '3'],
    ]);
    const texts = guest.kernelLog.records.map((record) => record.text);
    expect(texts).toContain('remoteproc remoteproc2: crash detected in adsp: type watchdog');
    expect(texts).toContain('remoteproc remoteproc0: crash detected in cdsp: type fatal error');
    expect(texts).toContain('remoteproc remoteproc0: crash detected in cdsp: type unknown');
  });

  it('recovery disabled keeps a crashed processor crashed until recover', async () => {
    const { context, soc, assertions } = setup();
    soc.processor('adsp').state = 'running';
    await rproc.run(spec({ name: 'adsp', recovery: 'disabled' }), context);
    await rproc.run(spec({ name: 'adsp', do: 'crash' }), context);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(soc.processor('adsp').state).toBe('crashed');
    await rproc.run(spec({ name: 'adsp', do: 'recover' }), context);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(soc.processor('adsp').state).toBe('running');
    expect(soc.writes.map(([path, value]) => `${path} ${value}`)).toEqual([
      '/sys/class/remoteproc/remoteproc2/recovery disabled',
      '/sys/kernel/debug/remoteproc/remoteproc2/crash 1',
      '/sys/class/remoteproc/remoteproc2/recovery recover',
    ]);
    expect(assertions[2]).toMatch(/^recover on adsp \(remoteproc2\): written to \/sys\/class\/remoteproc\/remoteproc2\/recovery; state now (offline|running)$/);
  });

  it('a file that cannot be opened (debugfs not mounted) is an infrastructure error with a hint', async () => {
    const { context, soc } = setup();
    soc.debugfsMounted = false;
    const error = await rproc.run(spec({ name: 'adsp', do: 'crash' }), context).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InfraError);
    expect(error).toMatchObject({
      code: 'E_RPROC_NO_FILE',
      message: "/sys/kernel/debug/remoteproc/remoteproc2/crash does not exist, so 'crash (watchdog)' cannot be written",
      hint: expect.stringMatching(/debugfs/),
    });
  });

  it('an unknown processor fails, listing the registered ones by name', async () => {
    const { context, soc } = setup();
    const failure = await failureOf(rproc.run(spec({ name: 'wpss', do: 'start' }), context));
    expect(failure.code).toBe('F_RPROC_MISSING');
    expect(failure.message).toBe("no remote processor named 'wpss'; registered: cdsp → remoteproc0, adsp → remoteproc2");
    expect(soc.writes).toEqual([]);
  });

  it('titles say what is done and what errno is expected', () => {
    expect(rproc.title(spec({ name: 'adsp', do: 'stop', 'expect-errno': 'einval' }))).toBe('rproc: adsp stop, expect EINVAL');
    expect(rproc.title(spec({ name: 'adsp', do: 'crash', type: 'fatal' }))).toBe('rproc: adsp crash (fatal)');
    expect(rproc.title(spec({ name: 'adsp', firmware: 'qcom/sa8775p/adsp.mbn' }))).toBe('rproc: adsp firmware qcom/sa8775p/adsp.mbn');
    expect(rproc.title(spec({ name: 'adsp', recovery: 'disabled' }))).toBe('rproc: adsp recovery disabled');
  });

  it('schema: exactly one action, type only with crash, errno names checked and canonicalised', () => {
    const messages = (body: unknown) => rproc.schema.safeParse(body).error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    expect(messages({ name: 'adsp' })).toEqual([': expected exactly one of do, firmware, recovery']);
    expect(messages({ name: 'adsp', do: 'start', firmware: 'x.mbn' })).toEqual([': expected exactly one of do, firmware, recovery, got do and firmware']);
    expect(messages({ name: 'adsp', do: 'stop', type: 'fatal' })).toEqual(['type: type goes with do: crash']);
    expect(messages({ name: 'adsp', do: 'stop', 'expect-errno': 'EINVALID' })).toEqual([
      'expect-errno: expected an errno name like EINVAL, EBUSY or ETIMEDOUT, got "EINVALID"',
    ]);
    expect(messages({ name: 'adsp', firmware: '-n' })).toHaveLength(1);
    expect(messages({ name: 'adsp', firmware: 'two words.mbn' })).toHaveLength(1);
    expect(spec({ name: 'adsp', do: 'start', 'expect-errno': 'ENOTSUP' })['expect-errno']).toBe('EOPNOTSUPP');
    expect(spec({ name: 'adsp', do: 'start', 'expect-errno': 'EPROBE_DEFER' })['expect-errno']).toBe('EPROBE_DEFER');
  });
});

describe('errno mapping of busybox sh messages', () => {
  it('maps write and open errors, as busybox 1.35 ash and glibc 2.36 print them, to errno names', () => {
    expect(errnoFromShellMessage('sh: write error: Invalid argument')).toEqual({ errno: 'EINVAL', message: 'Invalid argument', failedAt: 'write' });
    expect(errnoFromShellMessage('sh: write error: Device or resource busy').errno).toBe('EBUSY');
    expect(errnoFromShellMessage('sh: write error: Connection timed out').errno).toBe('ETIMEDOUT');
    expect(errnoFromShellMessage('sh: write error: Operation not permitted').errno).toBe('EPERM');
    expect(errnoFromShellMessage('sh: write error: Unknown error 517').errno).toBe('EPROBE_DEFER');
    expect(errnoFromShellMessage("sh: can't open /dev/video0: Timer expired")).toEqual({ errno: 'ETIME', message: 'Timer expired', failedAt: 'open' });
    expect(errnoFromShellMessage("sh: can't open /dev/video1: No such device or address").errno).toBe('ENXIO');
    // ash words ENOENT/ENOTDIR itself when opening or creating
    expect(errnoFromShellMessage("sh: can't open /dev/video9: no such file")).toEqual({ errno: 'ENOENT', message: 'no such file', failedAt: 'open' });
    expect(errnoFromShellMessage("sh: can't create /sys/kernel/debug/remoteproc/remoteproc0/crash: nonexistent directory").errno).toBe('ENOENT');
    expect(errnoFromShellMessage("sh: can't create /tmp: Is a directory")).toEqual({ errno: 'EISDIR', message: 'Is a directory', failedAt: 'open' });
    expect(errnoFromShellMessage('sh: write error: Too many references: cannot splice').errno).toBe('ETOOMANYREFS');
  });

  it('keeps the text when it is not an errno it knows', () => {
    expect(errnoFromShellMessage('sh: write error: Something new')).toEqual({ errno: undefined, message: 'Something new', failedAt: 'write' });
    expect(errnoFromShellMessage('Segmentation fault')).toEqual({ errno: undefined, message: 'Segmentation fault', failedAt: undefined });
  });

  it('canonicalises the names scenarios write', () => {
    expect(canonicalErrno('einval')).toBe('EINVAL');
    expect(canonicalErrno('EWOULDBLOCK')).toBe('EAGAIN');
    expect(canonicalErrno('EDEADLOCK')).toBe('EDEADLK');
    expect(canonicalErrno('ENOTSUPP')).toBe('ENOTSUPP');
    expect(canonicalErrno('EFOO')).toBeUndefined();
  });
});
