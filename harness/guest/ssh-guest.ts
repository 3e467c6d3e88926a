// A Guest reached over SSH: command execution plus the streamed kernel log. Used for QEMU guests and real boards alike.
import type { Client } from 'ssh2';
import type { ExecOptions, ExecResult, Guest, KernelLog } from './guest.ts';
import { KmsgStream } from './kmsg-stream.ts';
import { sshExec } from './ssh-exec.ts';

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

  private constructor(
    private readonly client: Client,
    options: SshGuestOptions,
  ) {
    this.dies = options.machineDied ? [options.machineDied] : [];
    this.stream = new KmsgStream(client, (command) => this.exec(command, { timeoutMs: 15_000 }), options.dmesgLogPath);
  }

  static async open(client: Client, options: SshGuestOptions = {}): Promise<SshGuest> {
    const guest = new SshGuest(client, options);
    await guest.stream.start({ signal: options.signal, deadline: options.deadline, dies: guest.dies });
    return guest;
  }

  get kernelLog(): KernelLog {
    return this.stream;
  }

  exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    return sshExec(this.client, command, { ...options, dies: this.dies });
  }

  async close(): Promise<void> {
    await this.stream.close();
    this.client.end();
  }
}
