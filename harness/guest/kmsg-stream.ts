// Streams the guest's /dev/kmsg over a long-lived SSH channel into an in-memory log with sequence numbers, mirrored to dmesg.log.
import { createWriteStream, type WriteStream } from 'node:fs';
import type { Client, ClientChannel } from 'ssh2';
import { InfraError } from '../core/errors.ts';
import { race } from '../core/wait.ts';
import { formatKmsg, type KernelLog, type KmsgRecord } from './guest.ts';
import { KmsgLineSplitter } from './kmsg-parse.ts';

/** Records pilot itself writes to cut the log into steps; they are consumed here, never shown to assertions. */
const SYNC_MARKER = 'pilot-sync ';

type Exec = (command: string) => Promise<{ code: number | null; stderr: string }>;

export class KmsgStream implements KernelLog {
  private readonly list: KmsgRecord[] = [];
  private readonly listeners = new Set<(record: KmsgRecord) => void>();
  private readonly markerWaiters = new Map<string, () => void>();
  private lastSeq = -1;
  private markerCount = 0;
  private channel: ClientChannel | undefined;
  private closed = false;
  private readonly file: WriteStream | undefined;
  private readonly token = Math.random().toString(36).slice(2, 8);
  /** Records the kernel dropped before we read them (buffer overrun), for the artifacts. */
  lost = 0;

  constructor(
    private readonly client: Client,
    private readonly exec: Exec,
    logPath: string | undefined,
  ) {
    this.file = logPath ? createWriteStream(logPath, { flags: 'a' }) : undefined;
  }

  /** Opens the stream; the backlog arrives on its own, and the first sync() proves it has. */
  start(): Promise<void> {
    return this.open();
  }

  private open(): Promise<void> {
    return new Promise((resolve, reject) => {
      // exec, not a loop: when the channel closes cat dies with it instead of spinning on EPIPE.
      this.client.exec('exec cat /dev/kmsg', (error, channel) => {
        if (error) return reject(new InfraError('E_KMSG_STREAM', `could not stream /dev/kmsg: ${error.message}`, { cause: error }));
        this.channel = channel;
        const splitter = new KmsgLineSplitter();
        channel.on('data', (chunk: Buffer) => {
          // Data can still arrive after close() ended the log file: writing it then would throw from the stream.
          if (this.closed) return;
          for (const record of splitter.push(chunk.toString('utf8'))) this.accept(record);
        });
        channel.on('close', () => {
          this.channel = undefined;
          // An overrun (EPIPE) ends cat; reopen and let sequence numbers drop the replayed records.
          if (!this.closed) setTimeout(() => void this.open().catch(() => {}), 100);
        });
        resolve();
      });
    });
  }

  private accept(record: KmsgRecord): void {
    if (record.seq <= this.lastSeq) return;
    if (this.lastSeq >= 0 && record.seq > this.lastSeq + 1) this.lost += record.seq - this.lastSeq - 1;
    this.lastSeq = record.seq;
    if (record.text.startsWith(SYNC_MARKER)) {
      this.markerWaiters.get(record.text)?.();
      return;
    }
    this.list.push(record);
    this.file?.write(formatKmsg(record) + '\n');
    for (const listener of this.listeners) listener(record);
  }

  get records(): ReadonlyArray<KmsgRecord> {
    return this.list;
  }

  since(fromSeq: number): KmsgRecord[] {
    // Records are in seq order; scan from the end since windows are usually recent.
    let index = this.list.length;
    while (index > 0 && this.list[index - 1]!.seq >= fromSeq) index--;
    return this.list.slice(index);
  }

  nextSeq(): number {
    return this.lastSeq + 1;
  }

  subscribe(listener: (record: KmsgRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Writes a marker into the kernel log and waits to read it back: everything logged before it has then arrived. */
  async sync(limits: { signal?: AbortSignal; deadline?: number; dies?: ReadonlyArray<Promise<never>> } = {}): Promise<void> {
    const marker = `${SYNC_MARKER}${this.token}-${++this.markerCount}`;
    const arrived = new Promise<void>((resolve) => this.markerWaiters.set(marker, resolve));
    try {
      // Level 7 keeps the marker off the console at the default console loglevel.
      const result = await this.exec(`echo '<7>${marker}' > /dev/kmsg`);
      if (result.code !== 0) {
        throw new InfraError('E_KMSG_SYNC', `could not write a marker to /dev/kmsg: ${result.stderr.trim() || `exit ${result.code}`}`);
      }
      await race(arrived, 'the kernel log to catch up', { deadline: Date.now() + 15_000, ...limits });
    } finally {
      this.markerWaiters.delete(marker);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.channel?.close();
    await new Promise<void>((resolve) => (this.file ? this.file.end(resolve) : resolve()));
  }
}
