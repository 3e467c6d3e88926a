// Entry point: dispatches `pilot <command>` and maps every outcome, thrown or returned, to an exit code.
import { isPilotError } from '../core/errors.ts';
import { closest } from 'fastest-levenshtein';
import { EXIT } from './exit-codes.ts';
import { packageVersion } from './package-version.ts';
import { reportError } from './report-error.ts';
import { COMMAND_SPECS } from './specs/index.ts';

type Command = (argv: string[]) => Promise<number>;

/** Each command's module, loaded only when it runs: `pilot doctor` need not load the runner. */
const LOADERS: Record<string, () => Promise<Command>> = {
  run: async () => (await import('./commands/run.ts')).runCommand,
  compare: async () => (await import('./commands/compare.ts')).compareCommand,
  images: async () => (await import('./commands/images.ts')).imagesCommand,
  'kernel-tree': async () => (await import('./commands/kernel-tree.ts')).kernelTreeCommand,
  doctor: async () => (await import('./commands/doctor.ts')).doctorCommand,
  schema: async () => (await import('./commands/schema.ts')).schemaCommand,
  bench: async () => (await import('./commands/bench.ts')).benchCommand,
  export: async () => (await import('./commands/export.ts')).exportCommand,
  merge: async () => (await import('./commands/merge.ts')).mergeCommand,
  report: async () => (await import('./commands/report.ts')).reportCommand,
  shell: async () => (await import('./commands/shell.ts')).shellCommand,
};

function usage(): string {
  const width = Math.max(...COMMAND_SPECS.map((spec) => spec.name.length));
  const lines = COMMAND_SPECS.map((spec) => `  ${spec.name.padEnd(width)}  ${spec.summary}`);
  return [
    'usage: pilot <command> [options]',
    '       pilot help <command>    the same as pilot <command> --help',
    '       pilot --version',
    '',
    'commands:',
    ...lines,
    '',
    'exit codes: 0 all passed, 1 some failed, 2 infrastructure error or bad input, 130 interrupted',
  ].join('\n');
}

function unknownCommand(name: string): number {
  const suggestion = closest(name, COMMAND_SPECS.map((spec) => spec.name));
  process.stderr.write(`pilot: unknown command '${name}'; did you mean ${suggestion}?\n\n${usage()}\n`);
  return EXIT.error;
}

export async function main(argv: string[]): Promise<number> {
  const [first, ...afterFirst] = argv;
  if (first === '--version') {
    process.stdout.write(`${await packageVersion()}\n`);
    return EXIT.passed;
  }
  if (!first || first === '--help' || first === '-h' || (first === 'help' && afterFirst.length === 0)) {
    process.stdout.write(usage() + '\n');
    return first ? EXIT.passed : EXIT.error;
  }
  // `pilot help run` is `pilot run --help`, so the two can never say different things.
  const [name, rest] = first === 'help' ? [afterFirst[0]!, ['--help']] : [first, afterFirst];
  const load = LOADERS[name];
  if (!load) return unknownCommand(name);
  try {
    return await (await load())(rest);
  } catch (error) {
    if (isPilotError(error) && error.failureClass === 'aborted') return EXIT.interrupted;
    reportError(name, error);
    return EXIT.error;
  }
}
