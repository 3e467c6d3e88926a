// The ssh line pilot prints for a kept machine: pilot's key, the forwarded port, and nothing written to known_hosts.
import { describe, expect, it } from 'vitest';
import { sshCommandWords } from '../../harness/guest/ssh-command.ts';

describe('sshCommandWords', () => {
  it('reaches root on the loopback port with only pilot\'s key, checking and recording no host key', () => {
    expect(sshCommandWords({ host: '127.0.0.1', port: 40022, user: 'root', privateKeyPath: '/c/ssh/id_ed25519' }, ['uname', '-r'])).toEqual([
      'ssh', '-i', '/c/ssh/id_ed25519', '-p', '40022',
      '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR', '-o', 'IdentitiesOnly=yes',
      'root@127.0.0.1', 'uname', '-r',
    ]);
  });
});
