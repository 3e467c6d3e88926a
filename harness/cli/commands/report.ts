// `pilot report html <results.json or artifacts folder> [-o FILE]`: rebuilds the HTML report from a finished (or interrupted) invocation.
import { stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { InputError } from '../../core/errors.ts';
import { readResultsJson } from '../../report/json.ts';
import { HTML_REPORT_FILE, writeHtmlReport } from '../../report/html/reporter.ts';
import { EXIT } from '../exit-codes.ts';
import { parseCommandLine } from '../parse-command-line.ts';
import { printHelp } from '../render-help.ts';
import { REPORT, REPORT_FORMATS } from '../specs/report.ts';

/** A folder means its results.json; `latest` works too. */
async function resultsPathOf(argument: string): Promise<string> {
  const path = resolve(argument);
  let isFolder: boolean;
  try {
    isFolder = (await stat(path)).isDirectory();
  } catch (error) {
    throw new InputError('E_RESULTS_READ', `cannot read ${argument}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { cause: error });
  }
  return isFolder ? join(path, 'results.json') : path;
}

export async function reportCommand(argv: string[]): Promise<number> {
  const { help, values, positionals } = parseCommandLine(REPORT, argv);
  if (help) return printHelp(REPORT);
  const [format, source, ...extra] = positionals;
  if (format === undefined || !(REPORT_FORMATS as ReadonlyArray<string>).includes(format)) {
    throw new InputError('E_BAD_FLAG', `pilot report: expected a format (${REPORT_FORMATS.join(', ')}), got ${format === undefined ? 'nothing' : `'${format}'`} (see pilot report --help)`);
  }
  if (source === undefined) throw new InputError('E_BAD_FLAG', 'pilot report html: name a results.json or an artifacts folder (see pilot report --help)');
  if (extra.length) throw new InputError('E_BAD_FLAG', `pilot report html: unexpected argument '${extra[0]}' (see pilot report --help)`);

  const resultsPath = await resultsPathOf(source);
  const document = await readResultsJson(resultsPath);
  const resultsDir = dirname(resultsPath);
  const out = resolve(values.out ?? join(resultsDir, HTML_REPORT_FILE));
  await writeHtmlReport(document, out, { complete: document.complete, resultsDir });
  process.stdout.write(`${out}\n`);
  return EXIT.passed;
}
