// Runs kbuild for arm64 under `nice`, turning its "  CC  file" lines into a progress line now and then.
import { availableParallelism } from 'node:os';
import { awaitProcess, startProcess } from '../../host/process.ts';

export const CROSS_COMPILE = 'aarch64-linux-gnu-';
/** Builds share the machine with QEMU boots: a lower priority keeps those on time. */
export const BUILD_NICENESS = 10;
/** A cold build on 2 cores takes 15–30 min; the limit only catches a build that hangs. */
const BUILD_TIMEOUT_MS = 3 * 60 * 60_000;

export interface MakeOptions {
  tree: string;
  targets: readonly string[];
  /** Extra `VAR=value` words (KCONFIG_ALLCONFIG=…). */
  variables?: readonly string[];
  jobs?: number;
  signal?: AbortSignal | undefined;
  /** Called with a summary every `every` compiled files and at the end. */
  onProgress?: (detail: string) => void;
  every?: number;
}

/** The `make` argument list for an arm64 cross build. */
export function makeArguments(options: Pick<MakeOptions, 'targets' | 'variables' | 'jobs'>): string[] {
  return [`ARCH=arm64`, `CROSS_COMPILE=${CROSS_COMPILE}`, `-j${options.jobs ?? availableParallelism()}`, ...(options.variables ?? []), ...options.targets];
}

/** Counts kbuild's quiet-mode lines (`  CC      kernel/fork.o`) and keeps the latest one. */
export class KbuildProgress {
  steps = 0;
  last = '';
  private pending = '';

  /** Feeds a chunk of make's stdout; returns how many new steps it held. */
  feed(chunk: string): number {
    const lines = (this.pending + chunk).split('\n');
    this.pending = lines.pop() ?? '';
    let added = 0;
    for (const line of lines) {
      const step = /^ {2}([A-Z][A-Z0-9_]*)\s+(\S.*)$/.exec(line);
      if (!step) continue;
      this.steps++;
      added++;
      this.last = `${step[1]} ${step[2]}`;
    }
    return added;
  }
}

/** The compiler's warnings in make's output (`file:line:col: warning: …`), for a patch author to see at once. */
export function compilerWarnings(output: string): string[] {
  return output.split('\n').filter((line) => /:\d+:\d+: warning: /.test(line));
}

/** Runs `nice make …` in the tree; throws E_KERNEL_TREE_BUILD with the end of the output when it fails. */
export async function runKbuild(options: MakeOptions): Promise<{ durationMs: number; steps: number; output: string }> {
  const args = makeArguments(options);
  const what = `make ${options.targets.join(' ')} in ${options.tree}`;
  const child = startProcess('nice', ['-n', String(BUILD_NICENESS), 'make', ...args], { cwd: options.tree });
  const progress = new KbuildProgress();
  const every = options.every ?? 250;
  const started = Date.now();
  child.stdout?.on('data', (chunk: Buffer) => {
    const before = progress.steps;
    progress.feed(chunk.toString('utf8'));
    if (Math.floor(progress.steps / every) > Math.floor(before / every)) {
      options.onProgress?.(`${progress.steps} steps in ${Math.round((Date.now() - started) / 1000)} s, at ${progress.last}`);
    }
  });
  const result = await awaitProcess(child, {
    code: 'E_KERNEL_TREE_BUILD',
    what,
    label: 'make',
    signal: options.signal,
    timeoutMs: BUILD_TIMEOUT_MS,
    hint: 'the end of make\'s output is above; the tree stays out of the cache, so the next build starts over',
  });
  options.onProgress?.(`${progress.steps} steps in ${Math.round(result.durationMs / 1000)} s`);
  return { durationMs: result.durationMs, steps: progress.steps, output: result.output };
}
