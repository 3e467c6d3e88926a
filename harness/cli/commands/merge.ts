// `pilot merge <shards…> -o DIR`: joins the results of `pilot run --shard i/n` jobs into one results.json and junit.xml.
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { InputError } from '../../core/errors.ts';
import { loadKnownIssues } from '../../known-issues/load.ts';
import { applyKnownIssues, describeExpired, expiredKnownIssues, todayUtc } from '../../known-issues/match.ts';
import { createConsoleReporter } from '../../report/console.ts';
import { writeResultsJson } from '../../report/json.ts';
import { writeJunit } from '../../report/junit.ts';
import { HTML_REPORT_FILE, writeHtmlReport } from '../../report/html/reporter.ts';
import { findResultsFiles } from '../../report/merge/discover.ts';
import { mergeSummaries } from '../../report/merge/merge.ts';
import { readShards } from '../../report/merge/read.ts';
import { countStatuses } from '../../model/results.ts';
import { exitCodeFor } from '../exit-codes.ts';
import { parseCommandLine } from '../parse-command-line.ts';
import { printHelp } from '../render-help.ts';
import { MERGE } from '../specs/merge.ts';

export async function mergeCommand(argv: string[]): Promise<number> {
  const { help, values, positionals } = parseCommandLine(MERGE, argv);
  if (help) return printHelp(MERGE);
  if (!values.output) throw new InputError('E_BAD_FLAG', '--output DIR is required (where the merged results.json and junit.xml go)');
  const knownIssues = await loadKnownIssues(values['known-issues']);
  const files = await findResultsFiles(positionals);
  const outDir = resolve(values.output);
  const { summary, warnings } = mergeSummaries(await readShards(files), outDir);

  const today = todayUtc();
  summary.runs = await applyKnownIssues(summary.runs, knownIssues, { today });
  summary.counts = countStatuses(summary.runs);
  for (const warning of warnings) process.stderr.write(`pilot merge: ${warning}\n`);
  for (const issue of expiredKnownIssues(knownIssues, today)) process.stderr.write(`pilot merge: ${describeExpired(issue)}\n`);

  await mkdir(outDir, { recursive: true });
  await writeResultsJson(summary, join(outDir, 'results.json'));
  await writeJunit(summary, join(outDir, 'junit.xml'));
  await writeHtmlReport(summary, join(outDir, HTML_REPORT_FILE), { resultsDir: outDir });
  process.stdout.write(`pilot merge: ${files.length} results file${files.length === 1 ? '' : 's'}: ${files.join(', ')}\n`);
  createConsoleReporter().onEnd(summary);
  return exitCodeFor(summary);
}
