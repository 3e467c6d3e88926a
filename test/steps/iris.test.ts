import { afterEach, describe, expect, it } from 'vitest';
import { InfraError } from '../../harness/core/errors.ts';
import { iris } from '../../harness/steps/iris.ts';
import { FakeGuest } from '../fakes/fake-guest.ts';
import { FakeSoc, type IrisBehaviour } from '../fakes/fake-soc.ts';
import { fakeStepContext } from '../fakes/step-context.ts';
import { failureOf } from '../fakes/rejection.ts';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** video0 is some other V4L2 device; the decoder is video1, found by its sysfs name. */
function setup(behaviour: IrisBehaviour = { kind: 'boots' }) {
  const guest = new FakeGuest({ records: ['Linux version 6.1.0-56-arm64', 'CPU: All CPU(s) started at EL2'] });
  const soc = new FakeSoc(guest);
  soc.addVideoNode({ device: 'video0', name: 'vivid-000-vid-cap', behaviour: { kind: 'fails-silently', errno: 'EPERM' } });
  soc.addVideoNode({ device: 'video1', name: 'qcom-iris-decoder', behaviour });
  cleanups.push(() => guest.close(), () => soc.dispose());
  return { ...fakeStepContext({ guest }), soc };
}

function spec(body: unknown) {
  return iris.schema.parse(body);
}


describe('iris', () => {
  it('booted: opens the node named qcom-iris-decoder and quotes the line that proves the firmware booted', async () => {
    const { context, guest, assertions } = setup();
    await iris.run(spec({ open: 'decoder', expect: 'booted' }), context);
    expect(guest.execCalls.some((call) => /^p=\/dev\/video1$/m.test(call.command))).toBe(true);
    expect(guest.execCalls.some((call) => /^p=\/dev\/video0$/m.test(call.command))).toBe(false);
    expect(assertions).toEqual([
      'open(/dev/video1) of qcom-iris-decoder succeeded',
      expect.stringMatching(/^Iris firmware booted during this open: \[ *\d+\.\d{6}\] qcom-pas-sim 0000:00:12\.0: iris firmware booted \(simulated core\)$/),
    ]);
  });

  it('booted: a later open finds the firmware booted by an earlier one', async () => {
    const { context, guest } = setup();
    await iris.run(spec({ open: 'decoder', expect: 'booted' }), context);
    const later = fakeStepContext({ guest });
    await iris.run(spec({ open: 'decoder', expect: 'booted' }), later.context);
    expect(later.assertions[1]).toMatch(/^Iris firmware booted by an earlier open: /);
  });

  it('booted: an open that fails is a FAIL quoting the errno and the Iris failure lines', async () => {
    const { context } = setup({ kind: 'boot-times-out' });
    const failure = await failureOf(iris.run(spec({ open: 'decoder', expect: 'booted' }), context));
    expect(failure.code).toBe('F_IRIS_OPEN');
    expect(failure.message).toBe('open(/dev/video1) of qcom-iris-decoder failed with ETIME, expected the firmware to boot');
    expect(failure.evidence).toEqual([
      "shell: sh: can't open /dev/video1: Timer expired",
      'Iris failure lines:',
      expect.stringMatching(/\] qcom-pas-sim 0000:00:12\.0: error booting up iris firmware$/),
    ]);
  });

  it('booted: an open that succeeds without any proof of a boot is a FAIL, unless booted-lines is []', async () => {
    const { context } = setup();
    const failure = await failureOf(iris.run(spec({ open: 'decoder', expect: 'booted', 'booted-lines': ['venus firmware ready'] }), context));
    expect(failure.code).toBe('F_IRIS_NOT_BOOTED');
    expect(failure.message).toBe(
      'open(/dev/video1) of qcom-iris-decoder succeeded, but the kernel log has no line showing the firmware booted (looked since boot for: venus firmware ready)',
    );

    const trusting = setup();
    await iris.run(spec({ open: 'decoder', expect: 'booted', 'booted-lines': [] }), trusting.context);
    expect(trusting.assertions[1]).toBe('no booted-lines given: a successful open() is taken as the proof the firmware booted');
  });

  it('fails: passes when open fails and the kernel printed an upstream failure line, with the errno checked', async () => {
    const { context, assertions } = setup({ kind: 'auth-fails', error: -22 });
    await iris.run(spec({ open: 'decoder', expect: 'fails', 'expect-errno': 'EINVAL' }), context);
    expect(assertions).toEqual([
      'open(/dev/video1) of qcom-iris-decoder failed with EINVAL, as expected',
      expect.stringMatching(/^the kernel printed: \[ *\d+\.\d{6}\] qcom-pas-sim 0000:00:12\.0: auth and reset failed: -22$/),
    ]);
  });

  it('fails: the wrong errno, an open that succeeds, or a failure without the upstream line are FAILs', async () => {
    const wrongErrno = setup({ kind: 'auth-fails', error: -22 });
    const errnoFailure = await failureOf(iris.run(spec({ open: 'decoder', expect: 'fails', 'expect-errno': 'ETIME' }), wrongErrno.context));
    expect(errnoFailure.code).toBe('F_IRIS_ERRNO');
    expect(errnoFailure.message).toBe('open(/dev/video1) of qcom-iris-decoder failed with EINVAL, expected ETIME (Timer expired)');

    const opened = setup();
    const openedFailure = await failureOf(iris.run(spec({ open: 'decoder', expect: 'fails' }), opened.context));
    expect(openedFailure.code).toBe('F_IRIS_OPENED');

    const silent = setup({ kind: 'fails-silently', errno: 'EPERM' });
    const silentFailure = await failureOf(iris.run(spec({ open: 'decoder', expect: 'fails' }), silent.context));
    expect(silentFailure.code).toBe('F_IRIS_NO_FAILURE_LINE');
    expect(silentFailure.message).toMatch(/^open\(\/dev\/video1\) of qcom-iris-decoder failed with EPERM, but the kernel printed none of the Iris failure lines/);
  });

  it('a missing node fails, listing the video nodes by name; a node without /dev file is an infrastructure error', async () => {
    const { context } = setup();
    const failure = await failureOf(iris.run(spec({ open: 'encoder', expect: 'booted' }), context));
    expect(failure.code).toBe('F_IRIS_MISSING');
    expect(failure.message).toBe('no video4linux node named qcom-iris-encoder; registered: vivid-000-vid-cap → video0, qcom-iris-decoder → video1');

    const noDev = setup();
    noDev.soc.videos[1]!.devNode = false;
    const error = await iris.run(spec({ open: 'decoder', expect: 'booted' }), noDev.context).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InfraError);
    expect(error).toMatchObject({ code: 'E_IRIS_NO_NODE' });
  });

  it('opens the encoder when asked', async () => {
    const { context, soc, assertions } = setup();
    soc.addVideoNode({ device: 'video2', name: 'qcom-iris-encoder' });
    await iris.run(spec({ open: 'encoder', expect: 'booted', 'booted-lines': [] }), context);
    expect(assertions[0]).toBe('open(/dev/video2) of qcom-iris-encoder succeeded');
  });

  it('schema: expect-errno only with fails, booted-lines only with booted', () => {
    const messages = (body: unknown) => iris.schema.safeParse(body).error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    expect(messages({ open: 'decoder', expect: 'booted', 'expect-errno': 'ETIME' })).toEqual(['expect-errno: expect-errno goes with expect: fails']);
    expect(messages({ open: 'decoder', expect: 'fails', 'booted-lines': [] })).toEqual(['booted-lines: booted-lines goes with expect: booted']);
    expect(iris.title(spec({ open: 'decoder', expect: 'fails', 'expect-errno': 'ETIME' }))).toBe('iris: open decoder, expect fails (ETIME)');
  });
});
