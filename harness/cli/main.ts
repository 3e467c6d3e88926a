// Entry point: dispatches `pilot <command>` and maps every outcome, thrown or returned, to an exit code.
import { describeCauseChain, isPilotError } from '../core/errors.ts';
import { EXIT } from './exit-codes.ts';

type Command = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  run: { summary: 'boot scenarios on their profiles and report', load: async () => (await import('./commands/run.ts')).runCommand },
  compare: { summary: 'run scenarios on a baseline and a patched kernel and report what changed', load: async () => (await import('./commands/compare.ts')).compareCommand },
  images: { summary: 'build or locate the guest images (kernel, Xen, initramfs, keys)', load: async () => (await import('./commands/images.ts')).imagesCommand },
  doctor: { summary: 'report which host tools are present and which are missing', load: async () => (await import('./commands/doctor.ts')).doctorCommand },
  schema: { summary: 'print the JSON Schema of scenario files, for editors', load: async () => (await import('./commands/schema.ts')).schemaCommand },
  bench: { summary: 'measure boot-to-console and boot-to-SSH per profile', load: async () => (await import('./commands/bench.ts')).benchCommand },
  export: { summary: 'write a scenario as a job for another lab system (lava)', load: async () => (await import('./commands/export.ts')).exportCommand },
  merge: { summary: 'join the results of sharded runs into one results.json and junit.xml', load: async () => (await import('./commands/merge.ts')).mergeCommand },
  report: { summary: 'rebuild a report (html) from a results.json and its artifacts', load: async () => (await import('./commands/report.ts')).reportCommand },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  const lines = Object.entries(COMMANDS).map(([name, { summary }]) => `  ${name.padEnd(width)}  ${summary}`);
  return [
    'usage: pilot <command> [options]',
    '',
    'commands:',
    ...lines,
    '',
    'exit codes: 0 all passed, 1 some failed, 2 infrastructure error or bad input, 130 interrupted',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage() + '\n');
    return name ? EXIT.passed : EXIT.error;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`pilot: unknown command '${name}'\n\n${usage()}\n`);
    return EXIT.error;
  }
  try {
    return await (await command.load())(rest);
  } catch (error) {
    if (isPilotError(error) && error.failureClass === 'aborted') return EXIT.interrupted;
    const [first, ...causes] = describeCauseChain(error);
    process.stderr.write(`pilot ${name}: ${first}\n`);
    for (const cause of causes) process.stderr.write(`  caused by: ${cause}\n`);
    if (isPilotError(error)) {
      for (const line of error.evidence) process.stderr.write(`  | ${line}\n`);
      if (error.hint) process.stderr.write(`  hint: ${error.hint}\n`);
    } else if (error instanceof Error && error.stack) {
      process.stderr.write(`${error.stack}\n`);
    }
    return EXIT.error;
  }
}
