// Runs dtc, fdtput, fdtoverlay and QEMU's DTB dump with a deadline and the run's AbortSignal; failures carry the tool's own words.
import { execa } from 'execa';
import { AbortedError, InfraError } from '../../core/errors.ts';

export interface HostToolOptions {
  /** Error code when the tool fails. */
  code: string;
  /** What was being done, for the message. */
  what: string;
  signal?: AbortSignal | undefined;
  timeoutMs: number;
  /** Builds the error for a tool that ran and failed, e.g. an InputError for a bad overlay. */
  onFailure?: (stderr: string, evidence: string[]) => Error;
}

const PACKAGES: Record<string, string> = {
  dtc: 'device-tree-compiler',
  fdtput: 'device-tree-compiler',
  fdtoverlay: 'device-tree-compiler',
  'qemu-system-aarch64': 'qemu-system-arm',
};

export function lastLines(text: string, count = 12): string[] {
  return text.split('\n').map((line) => line.trimEnd()).filter(Boolean).slice(-count);
}

export async function runHostTool(file: string, args: string[], options: HostToolOptions): Promise<string> {
  if (options.signal?.aborted) throw new AbortedError(`interrupted before ${options.what}`);
  const result = await execa(file, args, {
    cancelSignal: options.signal,
    timeout: options.timeoutMs,
    forceKillAfterDelay: 2000,
    reject: false,
    stdin: 'ignore',
    env: { LC_ALL: 'C' },
  });
  if (result.isCanceled || options.signal?.aborted) throw new AbortedError(`interrupted during ${options.what}`);
  if (!result.failed) return String(result.stdout ?? '');

  const stderr = String(result.stderr ?? '');
  const evidence = lastLines(stderr);
  if (result.code === 'ENOENT') {
    throw new InfraError('E_HOST_TOOL_MISSING', `${options.what} failed: ${file} is not installed`, {
      hint: `apt-get install ${PACKAGES[file] ?? file}`,
    });
  }
  if (result.timedOut) {
    throw new InfraError(options.code, `${options.what} failed: ${file} did not finish within ${options.timeoutMs} ms`, { evidence });
  }
  if (options.onFailure) throw options.onFailure(stderr, evidence);
  throw new InfraError(options.code, `${options.what} failed: ${file} exited with ${result.exitCode ?? result.signal}${evidence.length ? `: ${evidence.at(-1)}` : ''}`, {
    evidence,
  });
}
