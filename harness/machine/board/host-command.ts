// Runs a board's power commands on the host: `sh -c` in its own process group, bounded by a timeout and the run's abort.
import { spawn } from 'node:child_process';
import { InfraError } from '../../core/errors.ts';
import { formatMs, race } from '../../core/wait.ts';

export interface HostCommandOptions {
  /** What the command is for, in messages: "power-on". */
  what: string;
  cwd: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface HostCommandResult {
  command: string;
  code: number | null;
  signal: string | null;
  /** stdout and stderr interleaved, the last lines only. */
  output: string[];
  durationMs: number;
}

const OUTPUT_LINES = 40;

/**
 * Resolves when the command's shell exits, not when its output closes: a power-on script that leaves a daemon holding
 * stdout (a lab's ser2net, the stand-in board's QEMU) must not hang the run. Throws E_BOARD_COMMAND on a non-zero status.
 */
export async function runHostCommand(command: string, options: HostCommandOptions): Promise<HostCommandResult> {
  const startedAt = Date.now();
  const child = spawn('sh', ['-c', command], { cwd: options.cwd, env: options.env ?? process.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  const keep = (chunk: Buffer) => {
    text = (text + chunk.toString('utf8')).slice(-16_384);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve, reject) => {
    child.once('error', (error) => reject(new InfraError('E_BOARD_COMMAND', `${options.what} command could not start: ${error.message}`, { cause: error })));
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const outputLines = () => text.split('\n').map((line) => line.trimEnd()).filter(Boolean).slice(-OUTPUT_LINES);
  let status: { code: number | null; signal: string | null };
  try {
    status = await race(exited, `the ${options.what} command`, { signal: options.signal, deadline: startedAt + options.timeoutMs }, () =>
      new InfraError('E_BOARD_COMMAND', `${options.what} command '${command}' did not finish within ${formatMs(options.timeoutMs)}`, { evidence: outputLines() }),
    );
  } catch (error) {
    killGroup(child.pid, 'SIGKILL');
    throw error;
  } finally {
    // Whatever the command left behind keeps its own copy of the pipes; pilot stops reading them.
    child.stdout.destroy();
    child.stderr.destroy();
  }
  const result: HostCommandResult = { command, ...status, output: outputLines(), durationMs: Date.now() - startedAt };
  if (status.code !== 0) {
    const how = status.signal ? `was killed by ${status.signal}` : `exited with status ${status.code}`;
    throw new InfraError('E_BOARD_COMMAND', `${options.what} command '${command}' ${how}${result.output.length ? `: ${result.output.at(-1)}` : ''}`, {
      evidence: result.output,
    });
  }
  return result;
}

export function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}
