// `pilot report html <results.json or artifacts folder> [-o FILE]`: rebuilds the HTML report from a finished (or interrupted) invocation.
import { stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { InputError } from '../../core/errors.ts';
import { readResultsJson } from '../../report/json.ts';
import { HTML_REPORT_FILE, writeHtmlReport } from '../../report/html/reporter.ts';
import { parseFlags } from '../args.ts';
import { EXIT } from '../exit-codes.ts';

const HELP = `usage: pilot report html <results.json or artifacts folder> [-o FILE]

Writes a self-contained HTML report (matrix, timelines, failures with their dmesg,
searchable logs, remoteproc state history) from a results.json and the run folders beside it.
Default output: report.html next to results.json.

options:
  -o, --out FILE  write the report to FILE
  -h, --help`;

const FORMATS = ['html'] as const;

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
  const { values, positionals } = parseFlags('report', argv, {
    out: { type: 'string', short: 'o' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return EXIT.passed;
  }
  const [format, source, ...extra] = positionals;
  if (format === undefined || !(FORMATS as ReadonlyArray<string>).includes(format)) {
    throw new InputError('E_BAD_FLAG', `pilot report: expected a format (${FORMATS.join(', ')}), got ${format === undefined ? 'nothing' : `'${format}'`} (see pilot report --help)`);
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
