// Runs one job with LAVA's own dispatcher (`lava-run`, as a worker runs it) and always leaves nothing behind:
// on timeout or abort the dispatcher's process group is killed, and any QEMU of this job is found by its image paths.
import { spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { open, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InfraError } from '../../../../harness/core/errors.ts';
import { DeadlineError, race } from '../../../../harness/core/wait.ts';

/** lava_common.constants.DISPATCHER_DOWNLOAD_DIR: each job's images live in <this>/<job id>/. */
export const DISPATCHER_TMP = '/var/lib/lava/dispatcher/tmp';

export interface LavaRunOptions {
  jobFile: string;
  deviceFile: string;
  /** lava-run's --output-dir; the log is written beside it as lava-run.log. */
  workDir: string;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  /** Default: a fresh one from freeJobId(). */
  jobId?: string;
}

export interface LavaRunResult {
  jobId: string;
  exitCode: number | null;
  exitSignal: NodeJS.Signals | null;
  durationMs: number;
  logPath: string;
  /** lava-run's stdout and stderr (its YAML log goes to stderr). */
  log: string;
  /** Processes of this job (its QEMU above all) still running after lava-run exited; they have been killed since. */
  leftovers: Array<{ pid: number; command: string }>;
}

export async function runLavaJob(options: LavaRunOptions): Promise<LavaRunResult> {
  const jobId = options.jobId ?? (await freeJobId());
  const outputDir = join(options.workDir, 'output');
  const logPath = join(options.workDir, 'lava-run.log');
  const log = await open(logPath, 'w');
  const started = Date.now();
  // Own process group, so one kill reaches the dispatcher and whatever it forked in that group.
  const child = spawn('lava-run', ['--job-id', jobId, '--output-dir', outputDir, '--device', options.deviceFile, options.jobFile], {
    detached: true,
    stdio: ['ignore', log.fd, log.fd],
    env: { ...process.env, LC_ALL: 'C.UTF-8' },
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.once('error', (error) => reject(new InfraError('E_LAVA_RUN', `lava-run did not start: ${error.message}`, { cause: error, hint: 'install lava-dispatcher (ci/setup-host.sh)' })));
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  let leftovers: Array<{ pid: number; command: string }> = [];
  try {
    exit = await race(exited, `lava-run job ${jobId}`, { deadline: started + options.timeoutMs, signal: options.signal }, () => {
      return new DeadlineError(`lava-run job ${jobId} (log: ${logPath})`, Date.now() - started, 'E_LAVA_RUN_TIMEOUT');
    });
  } finally {
    if (exit === undefined) {
      killGroup(child.pid);
      await exited.catch(() => undefined);
    }
    await log.close();
    // Killed or not, QEMU runs in its own session (pexpect's pty), out of reach of the group kill.
    leftovers = await processesOfJob(jobId);
    for (const { pid } of leftovers) killPid(pid);
    if (leftovers.length > 0) await waitGone(jobId, 10_000);
    // LAVA removes its job folder itself only when it gets to finish.
    await rm(join(DISPATCHER_TMP, jobId), { recursive: true, force: true });
  }
  return {
    jobId,
    exitCode: exit!.code,
    exitSignal: exit!.signal,
    durationMs: Date.now() - started,
    logPath,
    log: await readFile(logPath, 'utf8'),
    leftovers,
  };
}

/** A numeric id (LAVA puts it in paths such as /lava-<id>) whose dispatcher folder does not exist yet. */
export async function freeJobId(): Promise<string> {
  for (;;) {
    const id = String(randomInt(100_000_000, 1_000_000_000));
    if (!(await stat(join(DISPATCHER_TMP, id)).catch(() => undefined))) return id;
  }
}

/**
 * Processes of this job, found by command line so only this job's are ever touched: its QEMU names the job's download
 * folder, and lava-run retitles itself `lava-run [job: <id>]`.
 */
export async function processesOfJob(jobId: string): Promise<Array<{ pid: number; command: string }>> {
  const markers = [`${DISPATCHER_TMP}/${jobId}/`, `lava-run [job: ${jobId}]`];
  const found: Array<{ pid: number; command: string }> = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    const command = (await readFile(`/proc/${name}/cmdline`, 'utf8').catch(() => '')).replaceAll('\0', ' ');
    if (markers.some((marker) => command.includes(marker))) found.push({ pid: Number(name), command });
  }
  return found;
}

/** Polls until none is left; a zombie nobody reaps has an empty command line, so it counts as gone. */
async function waitGone(jobId: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await processesOfJob(jobId)).length > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

function killPid(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
