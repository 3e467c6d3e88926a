// Renders the README's error-code table from the catalogue. Run: npm run docs:error-codes (rewrites README.md's section).
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ERROR_CODES, type ErrorCodeEntry } from './error-codes.ts';

export const TABLE_BEGIN = '<!-- error-codes:begin -->';
export const TABLE_END = '<!-- error-codes:end -->';
export const REGENERATE_COMMAND = 'npm run docs:error-codes';

const README_PATH = fileURLToPath(new URL('../../README.md', import.meta.url));

/** One row per code, in code order, so a diff of the README shows exactly which codes changed. */
export function renderErrorCodesTable(codes: Readonly<Record<string, ErrorCodeEntry>> = ERROR_CODES): string {
  const rows = Object.keys(codes)
    .sort()
    .map((code) => `| \`${code}\` | ${codes[code]!.class} | ${escapeCell(codes[code]!.meaning)} |`);
  return ['| code | class | meaning |', '|---|---|---|', ...rows].join('\n');
}

// Meanings are plain text: `__symbols__`, `*.yaml` and `<release>` must not turn into bold, italics or HTML tags.
function escapeCell(text: string): string {
  return text.replace(/[\\`*_[\]|]/g, '\\$&').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/** The table between the markers, or undefined when the README has no such section. */
export function readmeErrorCodesTable(readme: string): string | undefined {
  const span = sectionSpan(readme);
  return span && readme.slice(span.from + TABLE_BEGIN.length, span.to).replace(/^\n/, '').replace(/\n$/, '');
}

/** The README with its section replaced by `table`; the markers must already be there, so the section stays where it was put. */
export function withErrorCodesTable(readme: string, table: string): string {
  const span = sectionSpan(readme);
  if (!span) throw new Error(`README.md has no ${TABLE_BEGIN} … ${TABLE_END} section`);
  return `${readme.slice(0, span.from)}${TABLE_BEGIN}\n${table}\n${readme.slice(span.to)}`;
}

function sectionSpan(readme: string): { from: number; to: number } | undefined {
  const from = readme.indexOf(TABLE_BEGIN);
  const to = readme.indexOf(TABLE_END, from);
  return from < 0 || to < 0 ? undefined : { from, to };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const readme = await readFile(README_PATH, 'utf8');
  const updated = withErrorCodesTable(readme, renderErrorCodesTable());
  if (updated === readme) process.stdout.write('README.md: the error-code table is up to date\n');
  else {
    await writeFile(README_PATH, updated);
    process.stdout.write(`README.md: rewrote the error-code table (${Object.keys(ERROR_CODES).length} codes)\n`);
  }
}
