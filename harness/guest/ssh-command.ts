// The OpenSSH command line that reaches a guest with pilot's key: for a person's terminal and for `pilot shell`.

export interface SshCommandTarget {
  host: string;
  port: number;
  user: string;
  privateKeyPath: string;
}

/**
 * Guest host keys are made fresh at each boot, so nothing is checked or recorded in ~/.ssh/known_hosts (trust comes
 * from the loopback-only forward and the per-cache key); IdentitiesOnly keeps an agent's keys from using up the tries.
 */
export const SSH_OPTIONS: readonly string[] = [
  '-o', 'StrictHostKeyChecking=no',
  '-o', 'UserKnownHostsFile=/dev/null',
  '-o', 'LogLevel=ERROR',
  '-o', 'IdentitiesOnly=yes',
];

/** `ssh -i KEY -p PORT -o … root@127.0.0.1 [command…]` as words. */
export function sshCommandWords(target: SshCommandTarget, remoteCommand: readonly string[] = []): string[] {
  return ['ssh', '-i', target.privateKeyPath, '-p', String(target.port), ...SSH_OPTIONS, `${target.user}@${target.host}`, ...remoteCommand];
}
