// The HTML reporter: at the end of an invocation, reads every run's logs and writes <artifacts>/report.html.
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../atomic-write.ts';
import type { Reporter } from '../reporter.ts';
import type { RunSummary } from '../../model/results.ts';
import { DEFAULT_LOG_LIMITS, loadRunArtifacts, locateRunDir, type LogLimits, type RunArtifacts } from './artifacts.ts';
import { renderHtmlReport } from './render.ts';
import { REPORT_HTML } from '../../model/artifact-names.ts';

export const HTML_REPORT_FILE = REPORT_HTML;

export interface WriteHtmlReportOptions {
  limits?: LogLimits;
  /** False when the results were written before pilot finished. */
  complete?: boolean;
  /** Where results.json lies; a run folder that moved is looked for beside it. */
  resultsDir?: string;
  now?: () => Date;
}

/** Reads the runs' artifacts, renders and writes the report atomically; returns the path written. */
export async function writeHtmlReport(summary: RunSummary, path: string, options: WriteHtmlReportOptions = {}): Promise<string> {
  const artifacts: Record<string, RunArtifacts> = {};
  const resultsDir = options.resultsDir ?? summary.artifactsDir;
  for (const run of summary.runs) {
    artifacts[run.id] = await loadRunArtifacts(run, await locateRunDir(run, resultsDir), options.limits ?? DEFAULT_LOG_LIMITS);
  }
  const html = renderHtmlReport({
    summary,
    artifacts,
    ...(options.complete === undefined ? {} : { complete: options.complete }),
    generatedAt: (options.now ?? (() => new Date()))().toISOString(),
  });
  await writeFileAtomic(path, html);
  return path;
}

export interface HtmlReporterOptions {
  fileName?: string;
  limits?: LogLimits;
}

export function createHtmlReporter(options: HtmlReporterOptions = {}): Reporter {
  const fileName = options.fileName ?? HTML_REPORT_FILE;
  return {
    name: 'html',
    async onEnd(summary: RunSummary): Promise<void> {
      const path = join(summary.artifactsDir, fileName);
      await writeHtmlReport(summary, path, { resultsDir: dirname(path), ...(options.limits ? { limits: options.limits } : {}) });
    },
  };
}
