// Renders the README's error-code table from the catalogue. Run: npm run docs:error-codes (rewrites README.md's section).
import { pathToFileURL } from 'node:url';
import { ERROR_CODES, type ErrorCodeEntry } from './error-codes.ts';
import { readSection, rewriteReadmeSection, withSection } from './readme-section.ts';

export const TABLE_BEGIN = '<!-- error-codes:begin -->';
export const TABLE_END = '<!-- error-codes:end -->';
export const REGENERATE_COMMAND = 'npm run docs:error-codes';

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

const MARKERS = { begin: TABLE_BEGIN, end: TABLE_END };

/** The table between the markers, or undefined when the README has no such section. */
export function readmeErrorCodesTable(readme: string): string | undefined {
  return readSection(readme, MARKERS);
}

/** The README with its section replaced by `table`; the markers must already be there, so the section stays where it was put. */
export function withErrorCodesTable(readme: string, table: string): string {
  return withSection(readme, MARKERS, table);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await rewriteReadmeSection(MARKERS, renderErrorCodesTable(), `the error-code table (${Object.keys(ERROR_CODES).length} codes)`);
}
