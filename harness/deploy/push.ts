// Pushes a file or a folder tree to a guest over its SSH connection, and proves on the target, by sha256, that it arrived intact.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { posix } from 'node:path';
import type { Readable, Transform } from 'node:stream';
import { createGzip } from 'node:zlib';
import * as tar from 'tar';
import { InfraError } from '../core/errors.ts';
import type { FileStreams, StreamChannel } from '../guest/file-streams.ts';
import type { Guest } from '../guest/guest.ts';
import { shellWord } from '../host/shell-quote.ts';
import { fileSha256 } from './file-sha256.ts';
import { withPushAttempts } from './push-attempts.ts';
import { StreamDropped, streamCommand, type StreamedResult } from './stream-command.ts';
import { checkList, estimatedTarBytes, failedChecks, treeManifest } from './tree-manifest.ts';
import { progressCounter, type ProgressListener } from './transfer-progress.ts';
import { serveOnce } from './host-pull.ts';

/** What a push needs of a target: commands, and the capability to stream into one (SshGuest has both). */
export type PushTarget = Pick<Guest, 'exec'> &
  FileStreams & {
    /** Where the target reaches the host's loopback (QEMU's user network: 10.0.2.2): files then go by HTTP (host-pull.ts). */
    hostAddress?: string | undefined;
  };

/** The machine's guest as a push target; a deploy refuses a guest without the file-stream capability, since only SSH guests have it. */
export function pushTargetOf(guest: Guest, method: string, hostAddress?: string): PushTarget {
  const streams = guest.fileStreams;
  if (!streams) {
    throw new InfraError('E_DEPLOY_UNSUPPORTED', `the machine's guest cannot stream files (no openStream): a ${method} deploy needs an SSH guest`);
  }
  return { exec: (command, options) => guest.exec(command, options), openStream: (command, limits) => streams.openStream(command, limits), ...(hostAddress ? { hostAddress } : {}) };
}

export interface PushOptions {
  signal?: AbortSignal;
  /** Absolute Date.now() deadline for the whole push, retries included. Default: now + timeoutMs. */
  deadline?: number;
  /** Default: 60 s plus 1 s per MB, which an emulated guest on a loaded host still meets. */
  timeoutMs?: number;
  /** Rejects when the machine dies (RunningMachine.died); the push stops at once, not retried. */
  dies?: ReadonlyArray<Promise<never>>;
  /** Tries in all when the connection drops mid-push. Default 3. */
  attempts?: number;
  /** gzip level 1 on the host, gunzip on the target. Default true: measured faster with every cipher (harness/bench/push-throughput.ts). */
  compress?: boolean;
  onProgress?: ProgressListener;
  /** pushFile: the sha256 the file must have (e.g. KernelUnderTest.imageSha256); default: the local file's own. */
  expectedSha256?: string;
  /** Test hook: a stage spliced into each attempt's stream after the progress counter; it may corrupt bytes or close the channel. */
  fault?: (context: { attempt: number; channel: StreamChannel }) => Transform | undefined;
}

export interface PushResult {
  remotePath: string;
  /** Bytes of the source (the file, or the uncompressed tar stream). */
  bytes: number;
  /** The file's sha256; for a tree, the sha256 of its `sha256sum -c` list. */
  sha256: string;
  attempts: number;
  /** From the first byte sent to the target having stored the last one, for the successful attempt. */
  transferMs: number;
  /** The target's hashing and the rename. */
  verifyMs: number;
  /** How the bytes went: over the SSH connection, or fetched by the target from the host over HTTP (pushFile on QEMU). */
  lane?: 'ssh' | 'http';
  /** Why the HTTP lane was given up for SSH, when it was. */
  fallback?: string;
}

const RECEIVED = 'pilot-push-received';
const PART_SUFFIX = '.pilot-part';
const DEFAULT_ATTEMPTS = 3;
// Statuses of the target's side of a push. A short or unreadable stream is what a dropped channel leaves, so it is retried.
const EXIT_PREPARE = 89;
const EXIT_RECEIVE = 90;
const EXIT_CORRUPT = 92;

const q = shellWord;

function defaultTimeoutMs(bytes: number): number {
  return 60_000 + Math.ceil(bytes / 1e6) * 1000;
}

/** What every try of a push gets, whichever lane carries the bytes. */
interface AttemptBase {
  target: PushTarget;
  source: () => Readable;
  totalBytes: number;
  options: PushOptions;
  attempt: number;
  signal: AbortSignal;
}

interface StreamedAttempt extends AttemptBase {
  command: string;
}

/** One try: open a channel, stream the source through progress, fault and compression stages, wait for the command. */
async function streamOnce(run: StreamedAttempt): Promise<StreamedResult & { startedAt: number }> {
  const channel = await run.target.openStream(run.command, { signal: run.signal, dies: run.options.dies });
  const stages: Transform[] = [progressCounter(run.totalBytes, run.attempt, run.options.onProgress)];
  const fault = run.options.fault?.({ attempt: run.attempt, channel });
  if (fault) stages.push(fault);
  if (run.options.compress ?? true) stages.push(createGzip({ level: 1 }));
  const startedAt = performance.now();
  const result = await streamCommand(channel, run.source(), stages, RECEIVED, run.signal);
  if (result.code === EXIT_RECEIVE) {
    const said = result.stderr.trim().split('\n').at(-1);
    throw new StreamDropped(`the target did not receive the whole stream${said ? `: ${said}` : ''}`);
  }
  return { ...result, startedAt };
}

function limitsFor(what: string, bytes: number, options: PushOptions) {
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs(bytes);
  return {
    what,
    attempts: options.attempts ?? DEFAULT_ATTEMPTS,
    timeoutMs,
    deadline: options.deadline ?? Date.now() + timeoutMs,
    signal: options.signal,
    dies: options.dies,
  };
}

/**
 * Streams localPath to remotePath over one exec channel into a temporary name next to it, hashes it on the target,
 * and renames it into place only when the hash is the host's. A mismatch removes it and throws E_PUSH_CORRUPT.
 */
export async function pushFile(target: PushTarget, localPath: string, remotePath: string, options: PushOptions = {}): Promise<PushResult> {
  const { size } = await stat(localPath);
  // Checking against the artifact's recorded hash also catches a local copy damaged since it was resolved.
  const expected = options.expectedSha256 ?? (await fileSha256(localPath));
  const part = remotePath + PART_SUFFIX;
  const compress = options.compress ?? true;
  // One round trip: store, check the length, say so, hash, and rename only on a match; the hash is printed either way.
  const command = (receive: string) =>
    [
      `mkdir -p ${q(posix.dirname(remotePath))} && rm -f ${q(part)} || exit ${EXIT_PREPARE}`,
      `${receive} || exit ${EXIT_RECEIVE}`,
      `size=$(stat -c %s ${q(part)})`,
      `[ "$size" = ${size} ] || { echo "received $size of ${size} bytes" >&2; rm -f ${q(part)}; exit ${EXIT_RECEIVE}; }`,
      `echo ${RECEIVED}`,
      `set -- $(sha256sum ${q(part)}) || exit ${EXIT_PREPARE}`,
      `echo "pilot-push-sha256 $1"`,
      `if [ "$1" = ${expected} ]; then mv -f ${q(part)} ${q(remotePath)}; else rm -f ${q(part)}; exit ${EXIT_CORRUPT}; fi`,
    ].join('\n');
  const what = `pushing ${localPath} to ${remotePath}`;
  const source = () => createReadStream(localPath);
  let attempts = 0;
  let lane: 'ssh' | 'http' = 'ssh';
  let fallback: string | undefined;
  let result: StreamedResult & { startedAt: number } | undefined;
  if (target.hostAddress && size >= HTTP_LANE_MIN_BYTES) {
    try {
      result = await withPushAttempts(limitsFor(what, size, options), (attempt, signal) => {
        attempts = attempt;
        return pullOnce({ target, command, compress, part, source, totalBytes: size, options, attempt, signal });
      });
      lane = 'http';
    } catch (error) {
      // A target that cannot fetch from the host (a restricted network, no wget) still takes the bytes over SSH.
      if (options.signal?.aborted || !(error instanceof InfraError) || error.code !== 'E_PUSH_FAILED') throw error;
      fallback = error.message;
    }
  }
  result ??= await withPushAttempts(limitsFor(what, size, options), (attempt, signal) => {
    attempts = attempt;
    return streamOnce({ target, command: command(`${compress ? 'gunzip -c' : 'cat'} > ${q(part)}`), source, totalBytes: size, options, attempt, signal });
  });
  const finishedAt = performance.now();
  const remoteHash = /^pilot-push-sha256 (\S*)$/m.exec(result.stdout)?.[1];
  if (result.code === EXIT_CORRUPT) {
    throw new InfraError('E_PUSH_CORRUPT', `${remotePath} arrived corrupted: sha256 ${remoteHash ?? '?'} on the target, ${expected} on the host (${localPath})`, {
      hint: 'the partial file was removed; nothing at the final path came from this push',
    });
  }
  if (result.code !== 0) throw remoteFailure(what, result);
  const receivedAt = result.markerAt ?? finishedAt;
  return { remotePath, bytes: size, sha256: expected, attempts, transferMs: receivedAt - result.startedAt, verifyMs: finishedAt - receivedAt, lane, ...(fallback ? { fallback } : {}) };
}

/** Below this, one more round trip costs more than SSH's decryption saves. */
const HTTP_LANE_MIN_BYTES = 1024 * 1024;

interface PullAttempt extends AttemptBase {
  command: (receive: string) => string;
  compress: boolean;
  part: string;
}

/** One try of the HTTP lane: serve the bytes once, have the target fetch them with wget into the part file, then check as over SSH. */
async function pullOnce(run: PullAttempt): Promise<StreamedResult & { startedAt: number }> {
  const stages: Transform[] = [progressCounter(run.totalBytes, run.attempt, run.options.onProgress)];
  if (run.compress) stages.push(createGzip({ level: 1 }));
  const served = await serveOnce(run.source, stages, run.target.hostAddress!, run.signal);
  try {
    const fetch = run.compress ? `wget -q -O - ${q(served.url)} | gunzip -c > ${q(run.part)}` : `wget -q -O ${q(run.part)} ${q(served.url)}`;
    const startedAt = performance.now();
    const result = await run.target.exec(run.command(fetch), { timeoutMs: run.options.timeoutMs ?? defaultTimeoutMs(run.totalBytes), signal: run.signal });
    if (result.code === null) throw new StreamDropped(`the fetch of ${served.url} ended without an exit status`);
    if (result.code === EXIT_RECEIVE) {
      const said = result.stderr.trim().split('\n').at(-1);
      throw new StreamDropped(`the target did not fetch the whole file from the host${said ? `: ${said}` : ''}`);
    }
    const sentAt = await Promise.race([served.sent, Promise.resolve(undefined)]).catch(() => undefined);
    return { code: result.code, stdout: result.stdout, stderr: result.stderr, markerAt: sentAt, startedAt };
  } finally {
    await served.close();
  }
}

/**
 * Sends localDir as a tar stream unpacked into a temporary folder beside remoteDir, checks every regular file with one
 * `sha256sum -c` on the target, then replaces remoteDir with it. Files that differ are named in E_PUSH_CORRUPT.
 */
export async function pushTree(target: PushTarget, localDir: string, remoteDir: string, options: PushOptions = {}): Promise<PushResult> {
  const entries = await treeManifest(localDir);
  const list = checkList(entries);
  const listSha = createHash('sha256').update(list).digest('hex');
  const totalBytes = estimatedTarBytes(entries);
  const part = remoteDir.replace(/\/+$/, '') + PART_SUFFIX;
  const listPath = `${part}.sha256`;
  const what = `pushing ${localDir}/ to ${remoteDir}/`;
  const limits = limitsFor(what, totalBytes, options);

  // The list is small; it goes first, so the tree's own stream ends with the check in one round trip.
  const staged = await target.exec(
    `mkdir -p ${q(posix.dirname(part))} && cat > ${q(listPath)}`,
    { stdin: list, timeoutMs: 30_000, signal: options.signal },
  );
  if (staged.code !== 0) throw remoteFailure(`${what} (its sha256 list)`, staged);

  const unpack = options.compress ?? true ? 'tar -xzf -' : 'tar -xf -';
  const command = [
    `rm -rf ${q(part)} && mkdir -p ${q(part)} || exit ${EXIT_PREPARE}`,
    `${unpack} -C ${q(part)} || { rm -rf ${q(part)}; exit ${EXIT_RECEIVE}; }`,
    `echo ${RECEIVED}`,
    `cd ${q(part)} && sha256sum -c ${q(listPath)}; status=$?; cd /`,
    `rm -f ${q(listPath)}`,
    `if [ "$status" = 0 ]; then rm -rf ${q(remoteDir)} && mv ${q(part)} ${q(remoteDir)}; else rm -rf ${q(part)}; exit ${EXIT_CORRUPT}; fi`,
  ].join('\n');
  const names = entries.map((entry) => entry.path);
  let attempts = 0;
  let sentBytes = 0;
  const result = await withPushAttempts(limits, (attempt, signal) => {
    attempts = attempt;
    const onProgress: ProgressListener = (progress) => {
      sentBytes = progress.sentBytes;
      options.onProgress?.(progress);
    };
    // portable: no host user names or ids in the archive; the target's root owns what it unpacks.
    const source = () => tar.c({ cwd: localDir, portable: true, noDirRecurse: true }, names) as unknown as Readable;
    return streamOnce({ target, command, source, totalBytes, options: { ...options, onProgress }, attempt, signal });
  });
  const finishedAt = performance.now();
  if (result.code === EXIT_CORRUPT) {
    const failed = failedChecks(entries, result.stdout);
    throw new InfraError('E_PUSH_CORRUPT', `${remoteDir}/ arrived with ${failed.length} file(s) that differ from ${localDir}/: ${failed.slice(0, 10).join(', ')}${failed.length > 10 ? ', …' : ''}`, {
      evidence: result.stdout.split('\n').filter((line) => line && !line.endsWith(': OK')).slice(0, 20),
      hint: 'the unpacked copy was removed; the previous contents of the target folder are untouched',
    });
  }
  if (result.code !== 0) throw remoteFailure(what, result);
  const receivedAt = result.markerAt ?? finishedAt;
  return { remotePath: remoteDir, bytes: sentBytes, sha256: listSha, attempts, transferMs: receivedAt - result.startedAt, verifyMs: finishedAt - receivedAt };
}

function remoteFailure(what: string, result: { code: number | null; stderr: string }): InfraError {
  const stderr = result.stderr.trim();
  return new InfraError('E_PUSH_REMOTE', `${what}: the target's command failed with status ${result.code}${stderr ? `: ${stderr.split('\n').at(-1)}` : ''}`, {
    evidence: stderr ? stderr.split('\n').slice(-10) : [],
  });
}
