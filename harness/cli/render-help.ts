// Renders a command's help from its declaration, so `pilot X --help`, `pilot help X` and the README never disagree.
import { allFlags, flagSignature, type CommandSpec } from './command-spec.ts';

export function usageLine(spec: CommandSpec): string {
  return `usage: pilot ${spec.name}${spec.operands ? ` ${spec.operands}` : ''} [options]`;
}

export function renderHelp(spec: CommandSpec): string {
  const rows = allFlags(spec).map(([name, flag]) => ({
    // Flags without a short form line up their long names under the others'.
    signature: `${flag.alias ? '' : '    '}${flagSignature(name, flag)}`,
    lines: `${flag.description}${flag.default === undefined ? '' : ` (default: ${flag.default})`}`.split('\n'),
  }));
  const width = Math.max(...rows.map((row) => row.signature.length)) + 2;
  const options = rows.flatMap(({ signature, lines }) => [`  ${signature.padEnd(width)}${lines[0]}`, ...lines.slice(1).map((line) => `  ${' '.repeat(width)}${line}`)]);
  return [usageLine(spec), ...(spec.about ? ['', spec.about] : []), '', 'options:', ...options, ...(spec.epilogue ? ['', spec.epilogue] : [])].join('\n') + '\n';
}

/** For a command given --help: its help on `out`, and success. */
export function printHelp(spec: CommandSpec, out: NodeJS.WritableStream = process.stdout): number {
  out.write(renderHelp(spec));
  return 0;
}
