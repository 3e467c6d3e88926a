// The host end of the EL3 firmware's secure UART: a Unix socket QEMU connects to as the second serial, every line
// kept (and written to tz.log with its arrival time), commands sent one at a time and matched with their answer.
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AbortedError, InfraError, InputError } from '../core/errors.ts';
import { race, type WaitLimits } from '../core/wait.ts';
import { hostAnswer, type TrustZoneChannel, type TrustZoneLine } from '../model/trust-zone.ts';

/** The firmware's first line: its UART is set up from here on. */
export const TZ_BANNER = 'tz: boot pilot-el3';
/** The firmware reads at most this many bytes a line (README "Host channel"). */
const MAX_COMMAND_BYTES = 127;
/** The firmware polls its UART from a 100 Hz tick: an answer takes ticks, not seconds. */
/** From QEMU's start to the firmware's banner: the firmware prints it before anything else. */
const BANNER_MS = 15_000;

type Listener = (line: TrustZoneLine) => void;

export class TrustZoneHost implements TrustZoneChannel {
  private readonly received: TrustZoneLine[] = [];
  private readonly listeners = new Set<Listener>();
  private socket: Socket | undefined;
  private partial = '';
  private closed = false;
  private startedAt = Date.now();
  private sending: Promise<void> = Promise.resolve();

  private constructor(
    /** Give QEMU `-chardev socket,id=…,path=<this>`: QEMU connects to it as a client when it starts. */
    readonly socketPath: string,
    private readonly socketDir: string,
    private readonly server: Server,
    private readonly log: WriteStream,
  ) {
    server.on('connection', (socket) => this.attach(socket));
  }

  /** Listens before QEMU starts, so not a byte the firmware prints is lost (a server socket in QEMU would drop them until we connect). */
  static async listen(logPath: string): Promise<TrustZoneHost> {
    // Unix socket paths are limited to 108 bytes: a short temp folder, not the artifacts folder.
    const dir = await mkdtemp(join(tmpdir(), 'pilot-tz-'));
    const socketPath = join(dir, 'tz.sock');
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, () => resolve());
    });
    return new TrustZoneHost(socketPath, dir, server, createWriteStream(logPath, { flags: 'a' }));
  }

  /** QEMU started (again): times count from now, and a new connection replaces the old one. */
  markStart(): void {
    this.startedAt = Date.now();
  }

  private attach(socket: Socket): void {
    this.socket?.destroy();
    this.socket = socket;
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => this.feed(chunk));
    socket.on('error', () => {});
  }

  private feed(chunk: string): void {
    const text = this.partial + chunk.replace(/\r/g, '');
    const parts = text.split('\n');
    this.partial = parts.pop() ?? '';
    for (const raw of parts) {
      const line: TrustZoneLine = { atMs: Date.now() - this.startedAt, text: raw };
      this.received.push(line);
      this.log.write(`[${(line.atMs / 1000).toFixed(3).padStart(8)}] ${raw}\n`);
      for (const listener of [...this.listeners]) listener(line);
    }
  }

  lines(): string[] {
    return this.received.map((line) => line.text);
  }

  timedLines(): TrustZoneLine[] {
    return [...this.received];
  }

  waitForLine(match: (line: string) => boolean, deadline: number, signal: AbortSignal, fromIndex = 0): Promise<string | undefined> {
    const seen = this.received.slice(fromIndex).find((line) => match(line.text));
    if (seen) return Promise.resolve(seen.text);
    if (signal.aborted) return Promise.reject(new AbortedError('interrupted while waiting for a TrustZone line'));
    if (this.closed) return Promise.resolve(undefined);
    return new Promise((resolve, reject) => {
      const done = (value: string | undefined, error?: Error) => {
        clearTimeout(timer);
        this.listeners.delete(listener);
        this.listeners.delete(onClose);
        signal.removeEventListener('abort', onAbort);
        if (error) reject(error);
        else resolve(value);
      };
      const listener: Listener = (line) => {
        if (match(line.text)) done(line.text);
      };
      // A closed channel is signalled to listeners with an empty sentinel that no real line equals (see close()).
      const onClose: Listener = (line) => {
        if (line.atMs < 0) done(undefined);
      };
      const onAbort = () => done(undefined, new AbortedError('interrupted while waiting for a TrustZone line'));
      const timer = setTimeout(() => done(undefined), Math.max(0, deadline - Date.now()));
      this.listeners.add(listener);
      this.listeners.add(onClose);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  send(command: string): Promise<void> {
    // One at a time: answers carry the command text, but two identical commands in flight could not be told apart.
    const next = this.sending.catch(() => {}).then(() => this.sendNow(command));
    this.sending = next;
    return next;
  }

  private async sendNow(command: string): Promise<void> {
    if (command.includes('\n') || Buffer.byteLength(command) > MAX_COMMAND_BYTES) {
      throw new InfraError('E_TZ_COMMAND', `a TrustZone host-channel command is one line of at most ${MAX_COMMAND_BYTES} bytes, got ${JSON.stringify(command)}`);
    }
    const never = new AbortController().signal;
    // Measured: bytes sent before the firmware set up its UART are lost ("ping" arrived as "ing"), so wait for its banner.
    const banner = await this.waitForLine((line) => line.startsWith(TZ_BANNER), this.startedAt + BANNER_MS, never);
    if (banner === undefined || !this.socket) {
      throw new InfraError('E_TZ_CHANNEL', `the EL3 firmware's host channel is not up (no '${TZ_BANNER}' line), so '${command}' cannot be sent`);
    }
    // The answer (`tz: host ok …` or `tz: host error …`) is the caller's to read: a step judges a refusal, the channel does not.
    await new Promise<void>((resolve, reject) => this.socket!.write(`${command}\n`, (error) => (error ? reject(new InfraError('E_TZ_SEND', `could not write '${command}' to the EL3 firmware's host channel`, { cause: error })) : resolve())));
  }

  /** Stops listening and ends the log; waiting callers get undefined. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.partial) this.feed('\n');
    for (const listener of [...this.listeners]) listener({ atMs: -1, text: '' });
    this.socket?.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await new Promise<void>((resolve) => this.log.end(() => resolve()));
    await rm(this.socketDir, { recursive: true, force: true });
  }
}

/** How long the firmware may take to answer a command sent at boot: it polls its UART from a 100 Hz tick. */
const BOOT_ANSWER_MS = 10_000;

/** Sends the scenario's boot-time commands (e.g. `rule bridge-required off`) and waits for each answer, before Linux needs them. */
export async function sendBootCommands(channel: TrustZoneHost, commands: readonly string[], limits: WaitLimits & { signal: AbortSignal; deadline: number }): Promise<void> {
  for (const command of commands) {
    const from = channel.lines().length;
    await channel.send(command);
    const answered = channel.waitForLine((line) => hostAnswer(line, command) !== undefined, Math.min(Date.now() + BOOT_ANSWER_MS, limits.deadline), limits.signal, from);
    const line = await race(answered, `the EL3 firmware's answer to "${command}"`, limits);
    const answer = line === undefined ? undefined : hostAnswer(line, command);
    if (!answer) throw new InfraError('E_TZ_NO_ACK', `the EL3 firmware did not answer "${command}" within ${BOOT_ANSWER_MS / 1000} s of the boot`, { evidence: channel.lines().slice(-10) });
    if (!answer.ok) throw new InputError('E_TZ_BOOT_COMMAND', `the EL3 firmware refused the scenario's "${command}": ${answer.reason}`);
  }
}
