import { afterEach, describe, expect, it } from 'vitest';
import { AssertionFailure, InfraError } from '../../harness/core/errors.ts';
import type { ProfileName } from '../../harness/model/profile.ts';
import { expectEl } from '../../harness/steps/expect-el.ts';
import { FakeGuest } from '../fakes/fake-guest.ts';
import { realBootLog } from '../fakes/kmsg.ts';
import { fakeStepContext } from '../fakes/step-context.ts';

const guests: FakeGuest[] = [];
function booted(log: ProfileName | string[], profile: ProfileName = 'kvm-el2') {
  const guest = new FakeGuest();
  guests.push(guest);
  if (Array.isArray(log)) guest.kernelLog.log(...log);
  else guest.kernelLog.replay(realBootLog(log));
  return fakeStepContext({ guest, profile });
}
afterEach(async () => {
  for (const guest of guests.splice(0)) await guest.close();
});

const spec = (body: unknown) => expectEl.schema.parse(body);

async function errorOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
}

describe('expect-el', () => {
  it('passes on the real boots: EL2 on kvm-el2, EL1 on el1 and xen-el1', async () => {
    const el2 = booted('kvm-el2', 'kvm-el2');
    await expectEl.run(spec(2), el2.context);
    await expectEl.run(spec('profile'), el2.context);
    expect(el2.assertions).toEqual(['Linux started at EL2', 'Linux started at EL2 (profile kvm-el2)']);
    for (const profile of ['el1', 'xen-el1'] as const) {
      const el1 = booted(profile, profile);
      await expectEl.run(spec(1), el1.context);
      await expectEl.run(spec('profile'), el1.context);
    }
  });

  it('fails on the wrong level, quoting the kernel line', async () => {
    const { context } = booted('el1', 'kvm-el2');
    const error = (await errorOf(expectEl.run(spec('profile'), context))) as AssertionFailure;
    expect(error).toBeInstanceOf(AssertionFailure);
    expect(error.code).toBe('F_EL_MISMATCH');
    expect(error.message).toBe('Linux started at EL1, expected EL2 (profile kvm-el2)');
    expect(error.evidence).toEqual([expect.stringMatching(/^\[ *\d+\.\d{6}\] CPU: All CPU\(s\) started at EL1$/)]);
  });

  it('fails when CPUs started in inconsistent modes', async () => {
    const { context } = booted(['Linux version 6.1.0-56-arm64 (x) #1 SMP', 'CPU: CPUs started in inconsistent modes']);
    const error = (await errorOf(expectEl.run(spec(2), context))) as AssertionFailure;
    expect(error.code).toBe('F_EL_MIXED');
  });

  it('fails when the kernel booted but never printed the line', async () => {
    const { context } = booted(['Linux version 6.1.0-56-arm64 (x) #1 SMP', 'Run /init as init process']);
    const error = (await errorOf(expectEl.run(spec(1), context))) as AssertionFailure;
    expect(error).toBeInstanceOf(AssertionFailure);
    expect(error.code).toBe('F_EL_MISSING');
  });

  it('is an infrastructure error when the log read does not reach back to boot', async () => {
    const { context } = booted(['virtio_net virtio0 eth0: renamed']);
    const error = (await errorOf(expectEl.run(spec(1), context))) as InfraError;
    expect(error).toBeInstanceOf(InfraError);
    expect(error.code).toBe('E_EL_UNKNOWN');
  });

  it('accepts only 1, 2 or profile', () => {
    expect(expectEl.schema.safeParse(3).success).toBe(false);
    expect(expectEl.schema.safeParse('2').success).toBe(false);
    expect(expectEl.title(spec('profile'))).toBe('expect-el: as the profile says');
    expect(expectEl.title(spec(1))).toBe('expect-el: EL1');
  });
});
