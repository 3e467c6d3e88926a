// results.json: the RunSummary with a schema version, rewritten after every run so an interrupted pilot still leaves results.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../core/errors.ts';
import { writeFileAtomic } from './atomic-write.ts';
import type { PlannedRun, Reporter } from './reporter.ts';
import { countStatuses, type RunResult, type RunSummary } from '../model/results.ts';
import { RESULTS_JSON } from '../model/artifact-names.ts';

/** Bumped whenever a field changes meaning or goes away; adding a field keeps the version. */
export const RESULTS_SCHEMA_VERSION = 1;

export interface ResultsDocument extends RunSummary {
  schemaVersion: typeof RESULTS_SCHEMA_VERSION;
  /** False while runs are still going (or when pilot died before the end): `runs` holds the finished ones only. */
  complete: boolean;
}

export async function writeResultsJson(summary: RunSummary, path: string, complete = true): Promise<void> {
  const document: ResultsDocument = { schemaVersion: RESULTS_SCHEMA_VERSION, complete, ...summary };
  await writeFileAtomic(path, `${JSON.stringify(document, null, 2)}\n`);
}

export async function readResultsJson(path: string): Promise<ResultsDocument> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new InputError('E_RESULTS_READ', `cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  const version = (parsed as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (version !== RESULTS_SCHEMA_VERSION || !Array.isArray((parsed as { runs?: unknown }).runs)) {
    throw new InputError(
      'E_RESULTS_VERSION',
      `${path}: expected a pilot results file with schemaVersion ${RESULTS_SCHEMA_VERSION}, got schemaVersion ${JSON.stringify(version)}`,
    );
  }
  return parsed as ResultsDocument;
}

export interface JsonReporterOptions {
  fileName?: string;
  now?: () => number;
}

export class JsonReporter implements Reporter {
  readonly name = 'json';
  private readonly fileName: string;
  private readonly now: () => number;
  private artifactsDir: string | undefined;
  private startedAt = '';
  private startedAtMs = 0;
  private readonly finished: RunResult[] = [];
  /** Writes go one at a time, so an older snapshot can never land after a newer one. */
  private writes: Promise<void> = Promise.resolve();

  constructor(options: JsonReporterOptions = {}) {
    this.fileName = options.fileName ?? RESULTS_JSON;
    this.now = options.now ?? Date.now;
  }

  onBegin(plan: { runs: PlannedRun[]; artifactsDir: string; jobs: number }): void {
    this.artifactsDir = plan.artifactsDir;
    this.startedAtMs = this.now();
    this.startedAt = new Date(this.startedAtMs).toISOString();
  }

  /** Returns the write so the multiplexer can report a failure; the run does not wait for it. */
  onRunEnd(_run: PlannedRun, result: RunResult): Promise<void> {
    this.finished.push(result);
    const folder = this.artifactsDir;
    if (folder === undefined) return Promise.resolve();
    const write = this.writes.then(() => writeResultsJson(this.snapshot(folder), join(folder, this.fileName), false));
    this.writes = write.catch(() => undefined);
    return write;
  }

  async onEnd(summary: RunSummary): Promise<void> {
    await this.writes;
    await writeResultsJson(summary, join(summary.artifactsDir, this.fileName), true);
  }

  private snapshot(artifactsDir: string): RunSummary {
    const runs = [...this.finished];
    return {
      startedAt: this.startedAt,
      durationMs: this.now() - this.startedAtMs,
      artifactsDir,
      interrupted: false,
      runs,
      counts: countStatuses(runs),
    };
  }
}

export function createJsonReporter(options: JsonReporterOptions = {}): JsonReporter {
  return new JsonReporter(options);
}
