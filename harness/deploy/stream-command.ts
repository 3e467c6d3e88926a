// Runs one command on an exec channel with a local stream as its stdin, and collects its output and in-band status.
import { Writable, type Readable, type Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { StreamChannel } from '../guest/file-streams.ts';
import { takeInBandStatus } from '../guest/ssh-exec.ts';

/** The channel went away before the command finished: the one failure a push retries. */
export class StreamDropped extends Error {
  override readonly name = 'StreamDropped';
}

export interface StreamedResult {
  code: number;
  stdout: string;
  stderr: string;
  /** performance.now() when stdout first carried `marker`, e.g. the line a command prints once its input is stored. */
  markerAt: number | undefined;
}

/** Writes into the channel with its backpressure, ends it (EOF to the remote stdin) at the end, and fails if it closes first. */
function channelSink(channel: StreamChannel, closed: () => boolean): Writable {
  let sent = 0;
  const dropped = () => new StreamDropped(`the channel closed after ${sent} bytes had been sent`);
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      if (closed()) return callback(dropped());
      sent += chunk.length;
      if (channel.write(chunk)) return callback();
      const onDrain = () => {
        channel.off('close', onClose);
        callback();
      };
      const onClose = () => {
        channel.off('drain', onDrain);
        callback(dropped());
      };
      channel.once('drain', onDrain);
      channel.once('close', onClose);
    },
    final(callback) {
      if (closed()) return callback(dropped());
      channel.end();
      callback();
    },
  });
}

export async function streamCommand(
  channel: StreamChannel,
  source: Readable,
  stages: Transform[],
  marker?: string,
  signal?: AbortSignal,
): Promise<StreamedResult> {
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  let exitCode: number | undefined;
  let markerAt: number | undefined;
  let isClosed = false;
  // Once the close is asked for, not one more byte goes out: data after our CHANNEL_CLOSE can make the server drop the whole connection.
  let closeAsked = false;
  const onAbort = () => {
    closeAsked = true;
    channel.close();
  };
  if (signal?.aborted) onAbort();
  signal?.addEventListener('abort', onAbort, { once: true });
  channel.on('data', (chunk: Buffer) => {
    stdout.push(chunk);
    if (marker !== undefined && markerAt === undefined && Buffer.concat(stdout).includes(marker)) markerAt = performance.now();
  });
  channel.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  channel.on('exit', (code: number | null) => {
    if (typeof code === 'number') exitCode = code;
  });
  const closed = new Promise<void>((resolve) =>
    channel.once('close', () => {
      isClosed = true;
      resolve();
    }),
  );
  try {
    await pipeline([source, ...stages, channelSink(channel, () => isClosed || closeAsked)]);
  } catch (error) {
    closeAsked = true;
    channel.close();
    // A dropped stream is retried by the caller; a stage that failed (an unreadable file, a broken compressor) is the host's fault.
    throw error;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  await closed;
  const inBand = takeInBandStatus(Buffer.concat(stderr).toString('utf8'));
  // The in-band status is the command's own; the channel's is the wrapper's, and may be missing altogether.
  const code = inBand.code ?? exitCode;
  if (code === undefined) throw new StreamDropped('the channel closed before the command reported its exit status');
  return { code, stdout: Buffer.concat(stdout).toString('utf8'), stderr: inBand.stderr, markerAt };
}
