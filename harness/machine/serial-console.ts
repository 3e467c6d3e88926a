// Captures a machine's serial console: appends it to the run's log file, keeps a tail for error reports, and lets waits watch for lines.
import { createWriteStream, type WriteStream } from 'node:fs';
import { race, type WaitLimits } from '../core/wait.ts';

type LineListener = (line: string) => void;

const TAIL_LINES = 200;

export class SerialConsole {
  private readonly file: WriteStream;
  private readonly tailLines: string[] = [];
  private partial = '';
  private readonly listeners = new Set<LineListener>();
  private readonly chunkListeners = new Set<(chunk: string) => void>();
  /** Date.now() of the last byte received; silence watchdogs read it. */
  lastOutputAt = Date.now();
  bytes = 0;

  constructor(readonly logPath: string) {
    this.file = createWriteStream(logPath, { flags: 'a' });
  }

  feed(chunk: Buffer | string): void {
    const text = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    this.lastOutputAt = Date.now();
    this.bytes += text.length;
    this.file.write(text);
    for (const listener of this.chunkListeners) listener(text);
    const pieces = (this.partial + text).split('\n');
    this.partial = pieces.pop() ?? '';
    for (const raw of pieces) this.emitLine(raw.replace(/\r$/, ''));
  }

  private emitLine(line: string): void {
    this.tailLines.push(line);
    if (this.tailLines.length > TAIL_LINES) this.tailLines.shift();
    for (const listener of this.listeners) listener(line);
  }

  onLine(listener: LineListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onChunk(listener: (chunk: string) => void): () => void {
    this.chunkListeners.add(listener);
    return () => this.chunkListeners.delete(listener);
  }

  /** The last lines seen, including an unterminated one, for error evidence. */
  tail(count = 20): string[] {
    const lines = this.partial ? [...this.tailLines, this.partial] : [...this.tailLines];
    return lines.slice(-count);
  }

  /** Resolves with the first line, from now on, that matches. */
  waitForLine(pattern: RegExp, what: string, limits: WaitLimits, onTimeout?: () => Error): Promise<string> {
    let unsubscribe: () => void = () => {};
    const seen = new Promise<string>((resolve) => {
      unsubscribe = this.onLine((line) => {
        if (pattern.test(line)) resolve(line);
      });
    });
    return race(seen, what, limits, onTimeout).finally(unsubscribe);
  }

  close(): Promise<void> {
    if (this.partial) this.emitLine(this.partial);
    this.partial = '';
    return new Promise((resolve) => this.file.end(resolve));
  }
}
