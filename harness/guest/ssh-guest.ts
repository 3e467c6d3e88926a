// A Guest reached over SSH: command execution plus the streamed kernel log. Used for QEMU guests and real boards alike.
import type { Client } from 'ssh2';
import { InfraError } from '../core/errors.ts';
import type { ExecOptions, ExecResult, Guest, KernelLog } from './guest.ts';
import { KmsgStream } from './kmsg-stream.ts';
import { sshExec } from './ssh-exec.ts';

const LOST_STATUS_GRACE_MS = 2000;

export interface SshGuestOptions {
  /** Where the whole kernel log is mirrored, e.g. <artifacts>/dmesg.log. */
  dmesgLogPath?: string;
  /** Rejects when the machine dies; every exec races it. */
  machineDied?: Promise<never>;
  signal?: AbortSignal;
  deadline?: number;
}

export class SshGuest implements Guest {
  private readonly stream: KmsgStream;
  private readonly dies: ReadonlyArray<Promise<never>>;
  private closing = false;
  /** Rejects when the SSH connection drops without pilot closing it. */
  readonly connectionLost: Promise<never>;

  private constructor(
    private readonly client: Client,
    options: SshGuestOptions,
  ) {
    this.connectionLost = new Promise<never>((_, reject) => {
      client.once('close', () => {
        // A dying QEMU drops the connection too; the grace lets its exit, the truer reason, win the race.
        if (!this.closing) setTimeout(() => reject(new InfraError('E_SSH_LOST', 'the SSH connection to the guest dropped')), 1000).unref();
      });
    });
    this.connectionLost.catch(() => {});
    // The machine's death is the better explanation, so it is raced first.
    this.dies = options.machineDied ? [options.machineDied, this.connectionLost] : [this.connectionLost];
    this.stream = new KmsgStream(client, (command) => this.exec(command, { timeoutMs: 15_000 }), options.dmesgLogPath);
  }

  static async open(client: Client, options: SshGuestOptions = {}): Promise<SshGuest> {
    const guest = new SshGuest(client, options);
    await guest.stream.start();
    return guest;
  }

  get kernelLog(): KernelLog {
    return this.stream;
  }

  async exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    const result = await sshExec(this.client, command, { ...options, dies: this.dies });
    if (result.code === null && result.signal === undefined) await this.explainLostStatus();
    return result;
  }

  /** A channel that closes without an exit status usually means the target went down; let that reason surface instead. */
  private async explainLostStatus(): Promise<void> {
    if (this.dies.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, LOST_STATUS_GRACE_MS);
    });
    try {
      await Promise.race([grace, ...this.dies]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.stream.close();
    this.client.end();
  }
}
