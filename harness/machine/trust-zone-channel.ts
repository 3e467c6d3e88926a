// A TrustZoneChannel over the secure serial's stream pair: splits the firmware's output into tz lines, keeps them, copies them to tz.log, writes commands.
import { createWriteStream, type WriteStream } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { InfraError } from '../core/errors.ts';
import type { TrustZoneChannel } from '../model/trust-zone.ts';
import { TzLineLog } from './tz-line-log.ts';

/** The firmware reads commands into a 128-byte buffer from its tick (images/el3-firmware/host-channel.c): longer lines are cut. */
export const TZ_COMMAND_MAX_BYTES = 127;

export interface TrustZoneChannelOptions {
  /** The firmware's output: QEMU's secure serial chardev (socket or pipe). */
  input: Readable;
  /** Where commands go: the same chardev's writing side. */
  output: Writable;
  /** The run's tz.log; every line is appended as it arrives. */
  logPath: string;
}

/** The streams stay their owner's: it closes them with QEMU and handles their 'error' events; a dead serial shows here as waits that run out. */
export class StreamTrustZoneChannel implements TrustZoneChannel {
  readonly #log = new TzLineLog();
  readonly #file: WriteStream;
  readonly #output: Writable;
  #partial = '';
  #fileError: Error | undefined;

  constructor(options: TrustZoneChannelOptions) {
    this.#output = options.output;
    this.#file = createWriteStream(options.logPath, { flags: 'a' });
    // A lost artifact must not take the run down with an unhandled 'error'; close() reports it.
    this.#file.on('error', (error) => {
      this.#fileError ??= error;
    });
    options.input.on('data', (chunk: Buffer | string) => this.#feed(typeof chunk === 'string' ? chunk : chunk.toString('latin1')));
    // The last line of a firmware that powered off may lack its newline; it is still a line.
    options.input.on('end', () => {
      if (this.#partial !== '') this.#emit(this.#partial);
      this.#partial = '';
    });
  }

  lines(): string[] {
    return this.#log.lines();
  }

  waitForLine(match: (line: string) => boolean, deadline: number, signal: AbortSignal): Promise<string | undefined> {
    return this.#log.waitForLine(match, deadline, signal);
  }

  send(command: string): Promise<void> {
    if (/[\r\n]/.test(command) || Buffer.byteLength(command) > TZ_COMMAND_MAX_BYTES) {
      return Promise.reject(new Error(`host-channel command must be one line of at most ${TZ_COMMAND_MAX_BYTES} bytes: ${JSON.stringify(command)}`));
    }
    return new Promise((resolve, reject) => {
      this.#output.write(`${command}\n`, (error) => {
        if (error) reject(new InfraError('E_TZ_SEND', `could not write "${command}" to the EL3 firmware's host channel: ${error.message}`, { cause: error }));
        else resolve();
      });
    });
  }

  /** Flushes tz.log; rejects when the file could not be written. */
  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.#file.end(resolve));
    if (this.#fileError) throw new InfraError('E_REPORT_WRITE', `could not write ${this.#file.path}: ${this.#fileError.message}`, { cause: this.#fileError });
  }

  #feed(text: string): void {
    const pieces = (this.#partial + text).split('\n');
    this.#partial = pieces.pop() ?? '';
    // The PL011 console writes \r\n; the carriage return is not part of the line.
    for (const raw of pieces) this.#emit(raw.replace(/\r$/, ''));
  }

  #emit(line: string): void {
    this.#file.write(`${line}\n`);
    this.#log.add(line);
  }
}
