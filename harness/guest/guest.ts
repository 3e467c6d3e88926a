// What a step may do to a running target: run commands and read the kernel log. QEMU guests and real boards both provide it.
import type { FileStreams } from './file-streams.ts';

export interface ExecOptions {
  /** Milliseconds; the command is killed and E_EXEC_TIMEOUT thrown past it. */
  timeoutMs?: number;
  signal?: AbortSignal;
  stdin?: string | Buffer;
}

export interface ExecResult {
  command: string;
  /** Exit status, or null when the command died by a signal or the channel closed without one. */
  code: number | null;
  signal: string | undefined;
  stdout: string;
  stderr: string;
  durationMs: number;
}

/** One record of /dev/kmsg: "prio,seq,usec,flags;text". */
export interface KmsgRecord {
  seq: number;
  /** Syslog level 0 (emerg) .. 7 (debug). */
  level: number;
  facility: number;
  /** Microseconds since boot. */
  usec: number;
  text: string;
}

/** The kernel log of the running target as a sequence the harness can cut into per-step windows. */
export interface KernelLog {
  /** Every record received so far, in sequence order. */
  readonly records: ReadonlyArray<KmsgRecord>;
  /** Resolves once every record the kernel had logged when sync() was called has been received. */
  sync(options?: { signal?: AbortSignal; deadline?: number }): Promise<void>;
  /** Records with seq >= fromSeq. */
  since(fromSeq: number): KmsgRecord[];
  /** The seq the next record will carry. */
  nextSeq(): number;
  /** Calls back for every new record; returns an unsubscribe function. */
  subscribe(listener: (record: KmsgRecord) => void): () => void;
}

export interface Guest {
  exec(command: string, options?: ExecOptions): Promise<ExecResult>;
  readonly kernelLog: KernelLog;
  /** Streams into commands on the target, for pushing files; undefined on a guest that cannot (a deploy then refuses). */
  readonly fileStreams: FileStreams | undefined;
  close(): Promise<void>;
}

/** Formats a record as dmesg does, so evidence in reports reads like the kernel's own log. */
export function formatKmsg(record: KmsgRecord): string {
  const seconds = (record.usec / 1e6).toFixed(6).padStart(12, ' ');
  return `[${seconds}] ${record.text}`;
}
