// Runs host processes one way: each child in its own process group, every wait raced against its deadline, the child's
// exit and the run's AbortSignal, the whole group killed when the wait gives up, and failures turned into errors with a
// stable code that name the command, its exit status or signal, and the end of its stderr.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import { InfraError } from '../core/errors.ts';
import { earliest, formatMs, race, type WaitLimits } from '../core/wait.ts';
import { packageProviding } from './tool-package.ts';

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the child never started, e.g. ENOENT: the tool is not installed. */
  error?: NodeJS.ErrnoException;
}

export interface StartOptions {
  cwd?: string | undefined;
  /** Added over pilot's own environment. */
  env?: NodeJS.ProcessEnv | undefined;
  /** LC_ALL=C, so tools print the English that parsers and error messages rely on. Default true. */
  cLocale?: boolean;
  /** 'pipe' when pilot writes to the child (a command's input, QEMU's monitor); otherwise it reads /dev/null. */
  stdin?: 'ignore' | 'pipe';
  /** Reads stdin from this file (a large input streamed by the kernel, not through pilot). */
  stdinFile?: string | undefined;
  /** Sends stdout to this file (binary output) instead of a pipe. */
  stdoutFile?: string | undefined;
  /** The kernel kills the child when pilot dies, even by SIGKILL (setpriv --pdeathsig): for children that live all run long. */
  dieWithPilot?: boolean;
}

// Children that must not outlive pilot: if it exits without stopping them (a bug, an uncaught throw), their groups go too.
const tiedToPilot = new Set<HostChild>();
process.once('exit', () => {
  for (const child of tiedToPilot) child.killNow();
});

/** Sends `signal` to the process group led by `pid`; a group that is already gone is not an error. */
export function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // The group has already gone.
  }
}

/** sfdisk, mkfs.vfat and depmod live in /usr/sbin, which a non-root PATH may lack. */
function withSbin(path: string | undefined): string {
  const dirs = (path ?? '/usr/bin:/bin').split(':');
  for (const dir of ['/usr/sbin', '/sbin']) if (!dirs.includes(dir)) dirs.push(dir);
  return dirs.join(':');
}

/** One child process started as the leader of its own process group, so stopping it also stops what it forked. */
export class HostChild {
  readonly pid: number | undefined;
  /** Resolves once the child has exited or failed to start; never rejects. */
  readonly exited: Promise<ChildExit>;
  readonly stdin: Writable | null;
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  private hasExited = false;
  private readonly child: ChildProcess;

  constructor(
    readonly file: string,
    readonly args: readonly string[],
    options: StartOptions = {},
  ) {
    const env: NodeJS.ProcessEnv = { ...process.env, ...(options.cLocale ?? true ? { LC_ALL: 'C' } : {}), ...options.env };
    env.PATH = withSbin(env.PATH);
    const [command, ...argv] = options.dieWithPilot ? ['setpriv', '--pdeathsig', 'KILL', '--', file, ...args] : [file, ...args];
    const stdinFd = options.stdinFile === undefined ? undefined : openSync(options.stdinFile, 'r');
    const stdoutFd = options.stdoutFile === undefined ? undefined : openSync(options.stdoutFile, 'w');
    try {
      const stdio = [stdinFd ?? options.stdin ?? 'ignore', stdoutFd ?? 'pipe', 'pipe'] as const;
      this.child = spawn(command!, argv, { cwd: options.cwd, env, detached: true, stdio: [...stdio] });
    } finally {
      // The child holds its own copies of the descriptors.
      for (const fd of [stdinFd, stdoutFd]) if (fd !== undefined) closeSync(fd);
    }
    this.pid = this.child.pid;
    this.stdin = this.child.stdin;
    this.stdout = this.child.stdout;
    this.stderr = this.child.stderr;
    // A child that writes after pilot stopped listening must not crash pilot with EPIPE.
    this.stdin?.on('error', () => {});
    this.exited = new Promise<ChildExit>((resolve) => {
      this.child.once('error', (error: NodeJS.ErrnoException) => resolve({ code: null, signal: null, error }));
      this.child.once('exit', (code, signal) => resolve({ code, signal }));
    }).then((exit) => {
      this.hasExited = true;
      tiedToPilot.delete(this);
      return exit;
    });
    if (options.dieWithPilot) tiedToPilot.add(this);
  }

  get running(): boolean {
    return !this.hasExited;
  }

  /** Graceful first (SIGTERM lets the child close its files), SIGKILL to the whole group after the grace. */
  async stop(graceMs = 2000): Promise<ChildExit> {
    if (!this.hasExited) signalGroup(this.pid, 'SIGTERM');
    const timer = setTimeout(() => signalGroup(this.pid, 'SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
      // Members that ignored SIGTERM go with the group even after its leader has gone.
      signalGroup(this.pid, 'SIGKILL');
      this.stdin?.destroy();
    }
  }

  /** SIGKILL to the whole group at once; synchronous, for exit handlers where nothing async can run. */
  killNow(): void {
    signalGroup(this.pid, 'SIGKILL');
  }
}

export function startProcess(file: string, args: readonly string[], options: StartOptions = {}): HostChild {
  return new HostChild(file, args, options);
}

export interface RunOptions extends StartOptions, WaitLimits {
  /** What is being done, for messages: "download linux-image-6.1.0-56-arm64". */
  what: string;
  /** Stable error code when the command fails or times out, e.g. E_APT_DOWNLOAD. */
  code: string;
  /** Code when the tool is not installed. Default E_HOST_TOOL_MISSING. */
  missingCode?: string;
  /** Milliseconds from the start; the earlier of this and `deadline` counts. */
  timeoutMs?: number | undefined;
  /** Written to the child's stdin, which is then closed. */
  input?: string | Buffer | undefined;
  /** False when the caller reads `stdout` itself (streaming it into something); default true. */
  captureStdout?: boolean;
  /** What the user can do when the command fails. */
  hint?: string | undefined;
  /** The command as messages name it; default the file. */
  label?: string | undefined;
  /** Builds the error for a command that ran and failed or timed out, when the caller has a more precise one. */
  failure?: (failure: ProcessFailure) => Error;
}

export interface ProcessResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved as they came (its last few MB): what a person at a terminal would have seen. */
  output: string;
  durationMs: number;
}

export interface ProcessFailure extends ProcessResult {
  /** `exit`: it ran to a non-zero status or a signal; `timeout`: pilot killed it at the deadline. */
  reason: 'exit' | 'timeout';
  /** The last lines of stderr (of the output when stderr is empty): the cause is usually at the end. */
  evidence: string[];
  /** `exited with status 2`, `was killed by SIGSEGV` or `did not finish within 1.0 s`. */
  how: string;
}

const OUTPUT_KEEP = 4 * 1024 * 1024;
/** After the child exits, how long its output may take to drain before pilot drops the pipes: a daemon it left may hold them. */
const DRAIN_GRACE_MS = 1000;
/** How long a killed group gets to be reaped before the error is thrown anyway. */
const REAP_GRACE_MS = 2000;

/** The last non-empty lines of a tool's output. */
export function tailLines(text: string, count = 12): string[] {
  return text.split('\n').map((line) => line.trimEnd()).filter(Boolean).slice(-count);
}

/** E_HOST_TOOL_MISSING (or the caller's code), naming the tool and the Debian package that has it. */
export function missingToolError(file: string, what: string, code = 'E_HOST_TOOL_MISSING'): InfraError {
  const packageName = packageProviding(file);
  return new InfraError(code, `${what} failed: ${file} is not installed`, {
    hint: packageName ? `apt-get install ${packageName}` : 'install it, or run `pilot doctor` to see what the host lacks',
  });
}

class Timeout extends Error {}

function settleWithin<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

function streamClosed(stream: Readable | null): Promise<void> {
  if (!stream || stream.destroyed || stream.readableEnded) return Promise.resolve();
  return new Promise((resolve) => stream.once('close', resolve));
}

/** Waits for a started child under `options`' limits, kills its group if the wait gives up, and throws on failure. */
export async function awaitProcess(child: HostChild, options: RunOptions): Promise<ProcessResult> {
  const startedAt = Date.now();
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  let output = '';
  const keep = (into: Buffer[] | undefined) => (chunk: Buffer) => {
    into?.push(chunk);
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_KEEP);
  };
  const captureStdout = options.captureStdout ?? true;
  if (captureStdout) child.stdout?.on('data', keep(stdout));
  child.stderr?.on('data', keep(stderr));
  if (options.input !== undefined) child.stdin?.end(options.input);

  const deadline = earliest(options.deadline, options.timeoutMs === undefined ? undefined : startedAt + options.timeoutMs);
  const result = (exit: Pick<ChildExit, 'code' | 'signal'>): ProcessResult => ({
    exitCode: exit.code,
    signal: exit.signal,
    stdout: Buffer.concat(stdout).toString('utf8'),
    stderr: Buffer.concat(stderr).toString('utf8'),
    output,
    durationMs: Date.now() - startedAt,
  });
  const fail = (exit: Pick<ChildExit, 'code' | 'signal'>, reason: ProcessFailure['reason']): Error => {
    const ran = result(exit);
    const how =
      reason === 'timeout' ? `did not finish within ${formatMs((deadline ?? Date.now()) - startedAt)}` : exit.signal ? `was killed by ${exit.signal}` : `exited with status ${exit.code}`;
    const evidence = tailLines(ran.stderr.trim() ? ran.stderr : ran.output);
    const failure: ProcessFailure = { ...ran, reason, evidence, how };
    if (options.failure) return options.failure(failure);
    // apt and compilers print the cause first and a summary last; prefer the line that says error.
    const key = evidence.find((line) => /^(E:|error|.*: error)/i.test(line)) ?? evidence.at(-1);
    return new InfraError(options.code, `${options.what} failed: ${options.label ?? child.file} ${how}${key ? `: ${key}` : ''}`, {
      evidence,
      hint: options.hint,
    });
  };

  let exit: ChildExit;
  try {
    exit = await race(child.exited, options.what, { signal: options.signal, deadline, dies: options.dies }, () => new Timeout());
  } catch (error) {
    child.killNow();
    const reaped = await settleWithin(child.exited, REAP_GRACE_MS);
    if (error instanceof Timeout) throw fail(reaped ?? { code: null, signal: 'SIGKILL' }, 'timeout');
    throw error;
  } finally {
    child.stdin?.destroy();
  }
  // What the child printed last is still in the pipes; a daemon it left behind holds them open, so the wait is bounded.
  await settleWithin(Promise.all([captureStdout ? streamClosed(child.stdout) : undefined, streamClosed(child.stderr)]), DRAIN_GRACE_MS);
  if (captureStdout) child.stdout?.destroy();
  child.stderr?.destroy();

  if (exit.error) {
    if (exit.error.code === 'ENOENT') throw missingToolError(child.file, options.what, options.missingCode);
    throw new InfraError(options.code, `${options.what} failed: ${child.file} could not start: ${exit.error.message}`, { cause: exit.error });
  }
  if (exit.code !== 0) throw fail(exit, 'exit');
  return result(exit);
}

/** Runs `file args` to its end under `options`' limits; stdout and stderr are captured unless sent to a file. */
export async function runProcess(file: string, args: readonly string[], options: RunOptions): Promise<ProcessResult> {
  if (options.signal?.aborted) await race(Promise.resolve(), options.what, { signal: options.signal });
  const child = startProcess(file, args, { ...options, stdin: options.input === undefined ? options.stdin : 'pipe' });
  return awaitProcess(child, options);
}

/** Runs a shell command line through `sh -c` (a board's power command, written by a person), in its own group. */
export function runShell(command: string, options: RunOptions): Promise<ProcessResult> {
  return runProcess('sh', ['-c', command], { label: `'${command}'`, ...options });
}

/**
 * Runs a program on pilot's own terminal (`pilot shell`'s ssh): stdio inherited and in pilot's process group, so the
 * terminal's Ctrl-C and window size reach it. No deadline: the person ends it; aborting `signal` sends it SIGTERM.
 * Resolves with its exit status (128 + the signal's number when a signal ended it).
 */
export async function runInteractive(file: string, args: readonly string[], options: { code: string; signal?: AbortSignal }): Promise<number> {
  const child = spawn(file, args, { stdio: 'inherit' });
  const onAbort = () => child.kill('SIGTERM');
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const exit = await new Promise<ChildExit>((resolve) => {
      child.once('error', (error: NodeJS.ErrnoException) => resolve({ code: null, signal: null, error }));
      child.once('exit', (code, signal) => resolve({ code, signal }));
    });
    if (exit.error?.code === 'ENOENT') throw missingToolError(file, `running ${file}`);
    if (exit.error) throw new InfraError(options.code, `${file} could not start: ${exit.error.message}`, { cause: exit.error });
    return exit.code ?? 128 + (exit.signal ? (osConstants.signals[exit.signal] ?? 0) : 0);
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
}
