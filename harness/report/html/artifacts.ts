// Reads what a run left on disk for the report: the tail of each log, capped so a report of a chatty run still opens in a browser.
import { open, readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { RunResult } from '../../model/results.ts';
import { DMESG_LOG, SERIAL_LOG, stepDmesgPath } from '../../model/artifact-names.ts';
import { decidingFailure } from '../describe.ts';

/** A log file's last bytes; `omittedBytes` counts what was cut from its start. */
export interface LogText {
  /** File name relative to the run's folder, e.g. `serial.log` or `steps/04-expect-dmesg.dmesg`. */
  name: string;
  text: string;
  totalBytes: number;
  omittedBytes: number;
}

export interface RunArtifacts {
  serialLog?: LogText;
  dmesgLog?: LogText;
  /** The window of the step that decided the run (or the boot log when step 1 failed on it). */
  failingStepDmesg?: LogText;
  /** Files the report wanted and could not read, with why. */
  unreadable: string[];
}

export interface LogLimits {
  /** Per serial.log and dmesg.log. */
  logBytes: number;
  /** For the failing step's dmesg window. */
  stepBytes: number;
}

/** 1 MiB of log is some 12,000 lines: a report of many runs still opens in seconds and filters as one types. */
export const DEFAULT_LOG_LIMITS: LogLimits = { logBytes: 1024 * 1024, stepBytes: 256 * 1024 };

/** Reads at most `maxBytes` from the end of a file, starting at a line boundary when it cuts. */
export async function readLogTail(path: string, name: string, maxBytes: number): Promise<LogText> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const start = Math.max(0, size - maxBytes);
    const buffer = Buffer.alloc(size - start);
    let filled = 0;
    while (filled < buffer.length) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, start + filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    let bytes = buffer.subarray(0, filled);
    let omitted = start;
    if (start > 0) {
      // Drop the partial first line, so no line (or UTF-8 character) is shown cut in half.
      const newline = bytes.indexOf(0x0a);
      const cut = newline === -1 ? bytes.length : newline + 1;
      bytes = bytes.subarray(cut);
      omitted += cut;
    }
    return { name, text: bytes.toString('utf8'), totalBytes: size, omittedBytes: omitted };
  } finally {
    await handle.close();
  }
}

/** results.json names absolute folders; when the artifacts were moved or copied, the run's folder sits beside results.json. */
export async function locateRunDir(run: RunResult, resultsDir: string | undefined): Promise<string | undefined> {
  const candidates = [run.artifactsDir, ...(resultsDir ? [join(resultsDir, basename(run.artifactsDir))] : [])];
  for (const candidate of candidates) {
    if (await isDirectory(candidate)) return candidate;
  }
  return undefined;
}

export async function loadRunArtifacts(run: RunResult, runDir: string | undefined, limits: LogLimits = DEFAULT_LOG_LIMITS): Promise<RunArtifacts> {
  const artifacts: RunArtifacts = { unreadable: [] };
  // A skipped run never made a folder; there is nothing to miss.
  if (run.status === 'skip' && run.steps.every((step) => step.status === 'skip') && run.phases.length === 0) return artifacts;
  if (runDir === undefined) {
    artifacts.unreadable.push(`the run's folder ${run.artifactsDir} is gone`);
    return artifacts;
  }
  const read = async (name: string, maxBytes: number): Promise<LogText | undefined> => {
    try {
      return await readLogTail(join(runDir, name), name, maxBytes);
    } catch (error) {
      artifacts.unreadable.push(`${name}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      return undefined;
    }
  };
  const serialLog = await read(SERIAL_LOG, limits.logBytes);
  const dmesgLog = await read(await latestBootLog(runDir), limits.logBytes);
  if (serialLog) artifacts.serialLog = serialLog;
  if (dmesgLog) artifacts.dmesgLog = dmesgLog;
  const stepFile = failingStepDmesgFile(run);
  if (stepFile) {
    const failingStepDmesg = await read(stepFile, limits.stepBytes);
    if (failingStepDmesg) artifacts.failingStepDmesg = failingStepDmesg;
  }
  return artifacts;
}

/** The file run-steps wrote for the deciding step; a step that never got its window has none. */
export function failingStepDmesgFile(run: RunResult): string | undefined {
  const { step } = decidingFailure(run);
  return step?.dmesgWindow === undefined ? undefined : stepDmesgPath(step.index, step.kind);
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** After a kexec or reboot the steps ran on the last boot, whose log is dmesg-bootN.log; otherwise dmesg.log. */
export async function latestBootLog(runDir: string): Promise<string> {
  const names = await readdir(runDir).catch(() => [] as string[]);
  const boots = names.map((name) => /^dmesg-boot(\d+)\.log$/.exec(name)).filter((match): match is RegExpExecArray => match !== null);
  if (boots.length === 0) return DMESG_LOG;
  return boots.sort((a, b) => Number(b[1]) - Number(a[1]))[0]![0];
}
