// `pilot schema`: prints the JSON Schema of scenario or board files (or writes it with --out) for editors and linters.
import { writeFile } from 'node:fs/promises';
import { InputError } from '../../core/errors.ts';
import { scenarioJsonSchema } from '../../scenario/schema.ts';
import { boardJsonSchema } from '../../machine/board/board-file.ts';
import { parseFlags } from '../args.ts';
import { EXIT } from '../exit-codes.ts';
import { STEP_KINDS } from '../../steps/registry.ts';

const HELP = `usage: pilot schema [--board] [--out FILE]

Prints the JSON Schema of pilot scenario files (or, with --board, of board files), generated from the same
definition pilot validates with. Point your editor at it, e.g. with a first line
"# yaml-language-server: $schema=./scenario.schema.json".

options:
      --board     the schema of board files (boards/*.yaml) instead of scenarios
  -o, --out FILE  write the schema to FILE instead of standard output
  -h, --help`;

export async function schemaCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags('schema', argv, {
    out: { type: 'string', short: 'o' },
    board: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return EXIT.passed;
  }
  if (positionals.length) throw new InputError('E_BAD_FLAG', `pilot schema: unexpected argument '${positionals[0]}' (see pilot schema --help)`);
  const text = JSON.stringify(values.board ? boardJsonSchema() : scenarioJsonSchema(STEP_KINDS), null, 2) + '\n';
  if (values.out === undefined) process.stdout.write(text);
  else await writeFile(values.out, text);
  return EXIT.passed;
}
