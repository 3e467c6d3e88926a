// What a run kept up by `pilot run --keep-failed` writes into its folder (keep.json), for `pilot shell` and for people.

export interface KeepRecord {
  /** The run's id, `<scenario>@<profile>`. */
  run: string;
  /** QEMU's process id; `pilot shell` checks that it is still a QEMU before connecting. */
  pid: number;
  /** The pilot process that keeps the machine and ends it on Ctrl-C. */
  pilotPid: number;
  host: '127.0.0.1';
  sshPort: number;
  user: string;
  /** The guest key's private half, as the image build made it (mode 0600); the kept machine authorizes only it. */
  privateKeyPath: string;
  /** The QEMU gdbstub's port with `--gdb`. */
  gdbPort?: number;
  keptAt: string;
  /** When pilot will end the machine unless Ctrl-C comes first (`--keep-for`). */
  until: string;
  /** Set when the machine has ended: when, and why (Ctrl-C, the time limit, the guest powered off). */
  ended?: { at: string; why: string };
}
