// Runs one host tool for the image build; failures become InfraErrors that quote the tool's stderr.
import { execa } from 'execa';
import { AbortedError, InfraError } from '../core/errors.ts';

export interface ToolOptions {
  /** Error code when the tool fails, e.g. E_APT_DOWNLOAD. */
  code: string;
  /** What was being done, for the message: "download linux-image-6.1.0-56-arm64". */
  what: string;
  signal?: AbortSignal | undefined;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  hint?: string;
  /** Send stdout to this file instead of capturing it (binary output). */
  stdoutFile?: string;
}

export interface ToolResult {
  stdout: string;
  stderr: string;
}

/** The last lines of a tool's stderr, for evidence: the cause is usually at the end. */
export function tailLines(text: string, count = 12): string[] {
  return text.split('\n').map((l) => l.trimEnd()).filter(Boolean).slice(-count);
}

export async function runTool(file: string, args: string[], options: ToolOptions): Promise<ToolResult> {
  if (options.signal?.aborted) throw new AbortedError(`interrupted before ${options.what}`);
  // Own process group, so an abort also stops helpers the tool forks (dpkg-deb's tar keeps writing otherwise).
  const child = execa(file, args, {
    cwd: options.cwd,
    env: { LC_ALL: 'C', ...options.env },
    detached: true,
    reject: false,
    stdin: 'ignore',
    ...(options.stdoutFile ? { stdout: { file: options.stdoutFile } } : {}),
    stripFinalNewline: false,
    maxBuffer: 256 * 1024 * 1024,
  });
  const killGroup = () => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  options.signal?.addEventListener('abort', killGroup, { once: true });
  const result = await child.finally(() => options.signal?.removeEventListener('abort', killGroup));
  if (options.signal?.aborted) throw new AbortedError(`interrupted during ${options.what}`);
  const stdout = String(result.stdout ?? '');
  const stderr = String(result.stderr ?? '');
  if (result.failed) {
    const why = result.code === 'ENOENT' ? `${file} is not installed` : `${file} exited with ${result.exitCode ?? result.signal ?? 'an error'}`;
    const evidence = tailLines(stderr);
    const firstError = evidence.find((l) => /^(E:|error|.*: error)/i.test(l)) ?? evidence.at(-1);
    throw new InfraError(options.code, `${options.what} failed: ${why}${firstError ? `: ${firstError}` : ''}`, {
      evidence,
      hint: options.hint ?? (result.code === 'ENOENT' ? 'run `bash ci/setup-host.sh` (or `pilot doctor`)' : undefined),
      cause: result,
    });
  }
  return { stdout, stderr };
}
