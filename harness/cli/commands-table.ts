// Renders the README's command table from the commands' declarations. Run: npm run docs:commands (rewrites README.md's section).
import { pathToFileURL } from 'node:url';
import { readSection, rewriteReadmeSection, withSection } from '../core/readme-section.ts';
import { allFlags, flagSignature, type CommandSpec } from './command-spec.ts';
import { COMMAND_SPECS } from './specs/index.ts';

export const COMMANDS_BEGIN = '<!-- commands:begin -->';
export const COMMANDS_END = '<!-- commands:end -->';
export const REGENERATE_COMMANDS = 'npm run docs:commands';

const MARKERS = { begin: COMMANDS_BEGIN, end: COMMANDS_END };

/** One row per command, in `pilot --help` order; the flags as written on a command line, their meanings left to --help. */
export function renderCommandsTable(specs: readonly CommandSpec[] = COMMAND_SPECS): string {
  const rows = specs.map((spec) => {
    const flags = allFlags(spec).map(([name, flag]) => `\`${flagSignature(name, flag)}\``).join(', ');
    return `| \`pilot ${spec.name}${spec.operands ? ` ${escapeCell(spec.operands)}` : ''}\` | ${escapeCell(spec.summary)} | ${flags} |`;
  });
  return ['| command | what it does | options |', '|---|---|---|', ...rows].join('\n');
}

// Only the pipe breaks a table cell inside a code span; everything else there is shown as typed.
function escapeCell(text: string): string {
  return text.replaceAll('|', '\\|');
}

export function readmeCommandsTable(readme: string): string | undefined {
  return readSection(readme, MARKERS);
}

export function withCommandsTable(readme: string, table: string): string {
  return withSection(readme, MARKERS, table);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await rewriteReadmeSection(MARKERS, renderCommandsTable(), `the command table (${COMMAND_SPECS.length} commands)`);
}
