// Runs the real CLI as a child process, as a user or CI would.
import { execa, type ResultPromise } from 'execa';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readResultsJson, type ResultsDocument } from '../../../harness/report/json.ts';
import { waitForOutput } from './processes.ts';

export const REPO = resolve(import.meta.dirname, '../../..');

export function startPilot(args: string[], env: Record<string, string> = {}): ResultPromise<{ reject: false; all: true; cwd: string; env: Record<string, string> }> {
  return execa('node', [join(REPO, 'bin/pilot.mjs'), ...args], { reject: false, all: true, cwd: REPO, env: { CI: 'true', ...env } });
}

export async function artifactsBase(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'pilot-it-'));
}

export async function latestResults(base: string): Promise<ResultsDocument> {
  return readResultsJson(join(base, 'latest', 'results.json'));
}

export async function runFile(base: string, runId: string, name: string): Promise<string> {
  return readFile(join(base, 'latest', runId, name), 'utf8');
}

export async function runFolders(base: string): Promise<string[]> {
  return (await readdir(join(base, 'latest'), { withFileTypes: true })).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
}

/** Starts `pilot run` on the long-sleep fixture and returns once its step is running, so its QEMU is certainly up. */
// The child is wrapped: an async function returning the execa promise itself would wait for pilot to exit.
export async function startLongSleepRun(base: string): Promise<{ child: ReturnType<typeof startPilot> }> {
  const child = startPilot(['run', 'test/fixtures/integration/long-sleep.yaml', '--artifacts', base]);
  let output = '';
  child.all?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const running = await waitForOutput(() => output, /step 1\/1 .*sleep 600/, 180_000);
  if (!running) {
    child.kill('SIGKILL');
    throw new Error(`pilot never reached the sleeping step:\n${output}`);
  }
  return { child };
}
