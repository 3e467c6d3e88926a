// pushTargetOf: both deploys take a guest that can stream and refuse one that cannot, naming themselves.
import { describe, expect, it } from 'vitest';
import { InfraError } from '../../harness/core/errors.ts';
import { pushTargetOf } from '../../harness/deploy/push.ts';
import { FakeGuest } from '../fakes/fake-guest.ts';

describe('pushTargetOf', () => {
  it.each(['kexec', 'reboot'] as const)('refuses a guest without openStream for a %s deploy (E_DEPLOY_UNSUPPORTED)', (method) => {
    let error: unknown;
    try {
      pushTargetOf(new FakeGuest(), method);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InfraError);
    expect((error as InfraError).code).toBe('E_DEPLOY_UNSUPPORTED');
    expect((error as InfraError).message).toBe(`the machine's guest cannot stream files (no openStream): a ${method} deploy needs an SSH guest`);
  });

  it('hands back the same guest when it can stream', () => {
    const guest = Object.assign(new FakeGuest(), { openStream: async () => { throw new Error('not called'); } });
    expect(pushTargetOf(guest, 'kexec')).toBe(guest);
  });
});
