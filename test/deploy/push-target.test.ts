// pushTargetOf: both deploys take a guest that declares the file-stream capability and refuse one that does not, naming themselves.
import { describe, expect, it } from 'vitest';
import { InfraError } from '../../harness/core/errors.ts';
import { pushTargetOf } from '../../harness/deploy/push.ts';
import type { StreamChannel } from '../../harness/guest/file-streams.ts';
import { FakeGuest } from '../fakes/fake-guest.ts';
import { rejectionOf } from '../fakes/rejection.ts';

describe('pushTargetOf', () => {
  it.each(['kexec', 'reboot'] as const)('refuses a guest without file streams for a %s deploy (E_DEPLOY_UNSUPPORTED)', (method) => {
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

  it('runs commands and opens streams through the guest when it can stream', async () => {
    const channel = { fake: true } as unknown as StreamChannel;
    const guest = new FakeGuest().onExec('true', { stdout: 'ran\n' }).onStream(() => channel);
    const target = pushTargetOf(guest, 'kexec');
    expect((await target.exec('true')).stdout).toBe('ran\n');
    expect(await target.openStream('cat > /tmp/x')).toBe(channel);
    expect(guest.streamCalls).toEqual(['cat > /tmp/x']);
  });

  it('a stream on a dead machine fails with the death', async () => {
    const guest = new FakeGuest().onStream(() => new Promise<StreamChannel>(() => {}));
    const opening = pushTargetOf(guest, 'reboot').openStream('cat > /tmp/x');
    guest.machine.die(new InfraError('E_QEMU_EXIT', 'QEMU exited with code 1'));
    expect((await rejectionOf(opening, InfraError)).code).toBe('E_QEMU_EXIT');
  });
});
