// `pilot schema`: prints the JSON Schema of scenario or board files (or writes it with --out) for editors and linters.
import { writeFile } from 'node:fs/promises';
import { InputError } from '../../core/errors.ts';
import { scenarioJsonSchema } from '../../scenario/schema.ts';
import { boardJsonSchema } from '../../machine/board/board-file.ts';
import { EXIT } from '../exit-codes.ts';
import { parseCommandLine } from '../parse-command-line.ts';
import { printHelp } from '../render-help.ts';
import { SCHEMA } from '../specs/schema.ts';
import { STEP_KINDS } from '../../steps/registry.ts';

export async function schemaCommand(argv: string[]): Promise<number> {
  const { help, values, positionals } = parseCommandLine(SCHEMA, argv);
  if (help) return printHelp(SCHEMA);
  if (positionals.length) throw new InputError('E_BAD_FLAG', `pilot schema: unexpected argument '${positionals[0]}' (see pilot schema --help)`);
  const text = JSON.stringify(values.board ? boardJsonSchema() : scenarioJsonSchema(STEP_KINDS), null, 2) + '\n';
  if (values.out === undefined) process.stdout.write(text);
  else await writeFile(values.out, text);
  return EXIT.passed;
}
