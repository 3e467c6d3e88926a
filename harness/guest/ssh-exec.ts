// Runs one command over an ssh2 connection and collects its exit status and output, bounded by a timeout.
import type { Client, ClientChannel } from 'ssh2';
import { InfraError } from '../core/errors.ts';
import { race, formatMs } from '../core/wait.ts';
import type { ExecOptions, ExecResult } from './guest.ts';

const OUTPUT_LIMIT = 16 * 1024 * 1024;
// Debian 12's dropbear (2022.83) drops the exit-status message on a few percent of fast commands (measured: 7 in 200),
// so the shell also reports the status in-band, as the last line of stderr, and pilot strips it off again.
const STATUS_MARK = '\x1epilot-exit:';
const STATUS_TRAILER = /\n\x1epilot-exit:(\d+)\n$/;

/** Runs the command in a subshell, then prints its status after a record separator no command prints by chance. */
export function withInBandStatus(command: string): string {
  // The trailing exit keeps the channel's own exit status the command's, not printf's.
  return `(\n${command}\n); set -- "$?"; printf '\\n${STATUS_MARK.replace('\x1e', '\\036')}%d\\n' "$1" >&2; exit "$1"`;
}

/** Splits the in-band status off stderr; undefined when the shell never printed it (killed, or the command exec'd away). */
export function takeInBandStatus(stderr: string): { stderr: string; code: number | undefined } {
  const match = STATUS_TRAILER.exec(stderr);
  if (!match) return { stderr, code: undefined };
  return { stderr: stderr.slice(0, match.index), code: Number(match[1]) };
}

function openChannel(client: Client, command: string): Promise<ClientChannel> {
  return new Promise((resolve, reject) => {
    client.exec(command, (error, channel) => (error ? reject(error) : resolve(channel)));
  });
}

export async function sshExec(
  client: Client,
  command: string,
  options: ExecOptions & { dies?: ReadonlyArray<Promise<never>> } = {},
): Promise<ExecResult> {
  const startedAt = Date.now();
  const timeoutMs = options.timeoutMs ?? 60_000;
  const deadline = startedAt + timeoutMs;
  const limits = { signal: options.signal, deadline, dies: options.dies };
  let channel: ClientChannel | undefined;
  try {
    channel = await race(openChannel(client, withInBandStatus(command)), `opening a channel for '${command}'`, limits);
  } catch (error) {
    throw wrapChannelError(error, command);
  }
  const opened = channel;
  const finished = new Promise<ExecResult>((resolve) => {
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let size = 0;
    let code: number | null = null;
    let signal: string | undefined;
    const keep = (into: Buffer[]) => (chunk: Buffer) => {
      size += chunk.length;
      if (size <= OUTPUT_LIMIT) into.push(chunk);
    };
    opened.on('data', keep(stdout));
    opened.stderr.on('data', keep(stderr));
    opened.on('exit', (exitCode: number | null, signalName?: string) => {
      code = exitCode;
      signal = signalName ?? undefined;
    });
    opened.on('close', () => {
      const inBand = takeInBandStatus(Buffer.concat(stderr).toString('utf8'));
      resolve({
        command,
        // The in-band status is the command's own; the channel's can be lost, so it only fills in.
        code: inBand.code ?? code ?? null,
        signal,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: inBand.stderr,
        durationMs: Date.now() - startedAt,
      });
    });
  });
  if (options.stdin !== undefined) opened.end(options.stdin);
  else opened.end();
  try {
    return await race(finished, `'${command}'`, limits, () =>
      new InfraError('E_EXEC_TIMEOUT', `guest command '${command}' did not finish within ${formatMs(timeoutMs)}`),
    );
  } catch (error) {
    opened.close();
    throw error;
  }
}

function wrapChannelError(error: unknown, command: string): unknown {
  if (error instanceof InfraError || (error instanceof Error && error.name === 'AbortedError')) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new InfraError('E_SSH_CHANNEL', `could not run '${command}' on the guest: ${message}`, { cause: error });
}
