// A Guest reached over SSH: command execution plus the streamed kernel log. Used for QEMU guests and real boards alike.
import type { Client } from 'ssh2';
import { InfraError } from '../core/errors.ts';
import { race, type WaitLimits } from '../core/wait.ts';
import type { FileStreams, StreamChannel } from './file-streams.ts';
import type { ExecOptions, ExecResult, Guest, KernelLog } from './guest.ts';
import { KmsgStream } from './kmsg-stream.ts';
import { sshExec, withInBandStatus } from './ssh-exec.ts';

const LOST_STATUS_GRACE_MS = 2000;
/** Errors that mean the connection broke rather than the command failing. */
const CONNECTION_CODES = new Set(['E_SSH_CHANNEL', 'E_SSH_LOST']);

export interface SshGuestOptions {
  /** Where the whole kernel log is mirrored, e.g. <artifacts>/dmesg.log. */
  dmesgLogPath?: string;
  /** Rejects when the machine dies; every exec races it. */
  machineDied?: Promise<never>;
  signal?: AbortSignal;
  deadline?: number;
}

export class SshGuest implements Guest, FileStreams {
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

  /** Every SSH guest can stream: an exec channel takes stdin. */
  get fileStreams(): FileStreams {
    return this;
  }

  async exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    let result: ExecResult;
    try {
      result = await sshExec(this.client, command, { ...options, dies: this.dies });
    } catch (error) {
      throw await this.truerReason(error);
    }
    // A channel that closes without an exit status usually means the target went down; let that reason surface instead.
    if (result.code === null && result.signal === undefined) await this.deathWithinGrace();
    return result;
  }

  /** A broken channel is usually the machine dying under it: its death, if it comes within the grace, is the truer reason. */
  private async truerReason(error: unknown): Promise<unknown> {
    if (!(error instanceof InfraError) || !CONNECTION_CODES.has(error.code)) return error;
    try {
      await this.deathWithinGrace();
    } catch (death) {
      return death;
    }
    return error;
  }

  /** Rejects with the machine's death if it comes within the grace; resolves otherwise. */
  private async deathWithinGrace(): Promise<void> {
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

  /**
   * Opens a raw exec channel for streaming (file pushes): the caller writes stdin and reads the output.
   * The command is wrapped like every other, so its exit status also arrives in-band on stderr.
   */
  async openStream(command: string, limits: WaitLimits = {}): Promise<StreamChannel> {
    const opening = new Promise<StreamChannel>((resolve, reject) => {
      this.client.exec(withInBandStatus(command), (error, channel) => (error ? reject(error) : resolve(channel)));
    });
    try {
      return await race(opening, `opening a stream for '${command}'`, { ...limits, dies: [...(limits.dies ?? []), ...this.dies] });
    } catch (error) {
      const wrapped =
        error instanceof Error && !(error instanceof InfraError) && error.name !== 'AbortedError'
          ? new InfraError('E_SSH_CHANNEL', `could not open a stream for '${command}' on the guest: ${error.message}`, { cause: error })
          : error;
      throw await this.truerReason(wrapped);
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.stream.close();
    this.client.end();
  }
}
