// Counts the bytes of a transfer as they pass and reports them, throttled, so a CLI can draw one progress line.
import { Transform, type TransformCallback } from 'node:stream';

export interface TransferProgress {
  /** Bytes of the source sent so far in this attempt (before any compression). */
  sentBytes: number;
  /** The source's size; for a tree an estimate of the tar stream until the last event, which carries the exact size. */
  totalBytes: number;
  /** Average rate of this attempt so far. */
  bytesPerSecond: number;
  elapsedMs: number;
  /** 1 for the first try; a retry starts counting from zero again. */
  attempt: number;
  /** True on the last event of an attempt, once the whole source has been read. */
  done: boolean;
}

export type ProgressListener = (progress: TransferProgress) => void;

const DEFAULT_INTERVAL_MS = 200;

/** A pass-through stage that reports progress at most every intervalMs, and always once at the end. */
export function progressCounter(
  totalBytes: number,
  attempt: number,
  listener: ProgressListener | undefined,
  intervalMs = DEFAULT_INTERVAL_MS,
): Transform {
  const startedAt = performance.now();
  let sentBytes = 0;
  let lastReportAt = -Infinity;
  const report = (done: boolean) => {
    if (!listener) return;
    const elapsedMs = performance.now() - startedAt;
    // A tree's total is an estimate; the end of the stream is the exact size, and no event may claim more than the total.
    const total = done ? sentBytes : Math.max(totalBytes, sentBytes);
    listener({ sentBytes, totalBytes: total, bytesPerSecond: elapsedMs > 0 ? (sentBytes * 1000) / elapsedMs : 0, elapsedMs, attempt, done });
  };
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      sentBytes += chunk.length;
      const now = performance.now();
      if (now - lastReportAt >= intervalMs) {
        lastReportAt = now;
        report(false);
      }
      callback(null, chunk);
    },
    flush(callback: TransformCallback) {
      report(true);
      callback();
    },
  });
}

/** "12.3 MB/33.0 MB 8.1 MB/s" for a progress line. */
export function formatProgress(progress: TransferProgress): string {
  const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
  return `${mb(progress.sentBytes)}/${mb(progress.totalBytes)} ${mb(progress.bytesPerSecond)}/s`;
}
