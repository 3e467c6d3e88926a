// A minimal client of the GDB remote serial protocol, enough to drive QEMU's gdbstub from pilot itself: packets framed
// as `$body#checksum`, acknowledged with `+`, over a unix socket (or a loopback TCP port).
import { connect, type Socket } from 'node:net';
import { InfraError } from '../core/errors.ts';
import { race, type WaitLimits } from '../core/wait.ts';

export type GdbEndpoint = { path: string } | { port: number };

const PACKET = /\$([^#$]*)#([0-9a-fA-F]{2})/;

export function gdbPacket(body: string): string {
  let sum = 0;
  for (const byte of Buffer.from(body, 'latin1')) sum = (sum + byte) % 256;
  return `$${body}#${sum.toString(16).padStart(2, '0')}`;
}

function describe(endpoint: GdbEndpoint): string {
  return 'path' in endpoint ? endpoint.path : `127.0.0.1:${endpoint.port}`;
}

export class GdbRemote {
  private buffered = '';
  private readonly waiting: Array<(packet: string) => void> = [];
  private readonly packets: string[] = [];
  private readonly closed: Promise<never>;

  private constructor(
    private readonly socket: Socket,
    private readonly where: string,
  ) {
    this.closed = new Promise<never>((_, reject) => {
      socket.once('close', () => reject(new InfraError('E_GDB_REMOTE', `the gdbstub at ${where} closed the connection`)));
      socket.once('error', (error) => reject(new InfraError('E_GDB_REMOTE', `the gdbstub at ${where} failed: ${error.message}`, { cause: error })));
    });
    this.closed.catch(() => {});
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => this.receive(chunk));
  }

  static async open(endpoint: GdbEndpoint, limits: WaitLimits): Promise<GdbRemote> {
    const where = describe(endpoint);
    const socket = 'path' in endpoint ? connect({ path: endpoint.path }) : connect({ host: '127.0.0.1', port: endpoint.port });
    const opened = new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', (error) => reject(new InfraError('E_GDB_REMOTE', `cannot reach the gdbstub at ${where}: ${error.message}`, { cause: error })));
    });
    try {
      await race(opened, `connecting to the gdbstub at ${where}`, limits);
    } catch (error) {
      socket.destroy();
      throw error;
    }
    return new GdbRemote(socket, where);
  }

  private receive(chunk: string): void {
    this.buffered += chunk;
    for (let match = PACKET.exec(this.buffered); match; match = PACKET.exec(this.buffered)) {
      this.buffered = this.buffered.slice(match.index + match[0].length);
      this.socket.write('+');
      const next = this.waiting.shift();
      if (next) next(match[1]!);
      else this.packets.push(match[1]!);
    }
    // Acks ('+') and anything between packets carry nothing a caller waits for.
    const start = this.buffered.indexOf('$');
    this.buffered = start === -1 ? '' : this.buffered.slice(start);
  }

  /** The next packet the stub sends, in order (queued ones first). */
  next(what: string, limits: WaitLimits): Promise<string> {
    const queued = this.packets.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    let taker: (packet: string) => void = () => {};
    const arrived = new Promise<string>((resolve) => {
      taker = resolve;
      this.waiting.push(resolve);
    });
    return race(arrived, `${what} (gdbstub ${this.where})`, { ...limits, dies: [...(limits.dies ?? []), this.closed] }).finally(() => {
      const index = this.waiting.indexOf(taker);
      if (index !== -1) this.waiting.splice(index, 1);
    });
  }

  send(body: string): void {
    this.socket.write(gdbPacket(body));
  }

  /** Sends a packet and returns the stub's reply. */
  request(body: string, limits: WaitLimits): Promise<string> {
    this.send(body);
    return this.next(`the reply to '${body}'`, limits);
  }

  /** The out-of-band break (Ctrl-C): stops the running target, which answers with a stop reply. */
  interrupt(): void {
    this.socket.write('\x03');
  }

  /** Ends the connection once what was written has gone out (a last detach must reach QEMU). */
  close(): void {
    this.socket.end();
    setTimeout(() => this.socket.destroy(), 1_000).unref();
  }
}
