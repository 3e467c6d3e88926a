// The flags of `pilot schema`, declared once.
import { defineCommand } from '../command-spec.ts';

export const SCHEMA = defineCommand({
  name: 'schema',
  summary: 'print the JSON Schema of scenario files, for editors',
  about: [
    'Prints the JSON Schema of pilot scenario files (or, with --board, of board files), generated from the same',
    'definition pilot validates with. Point your editor at it, e.g. with a first line',
    '"# yaml-language-server: $schema=./scenario.schema.json".',
  ].join('\n'),
  flags: {
    board: { description: 'the schema of board files (boards/*.yaml) instead of scenarios' },
    out: { alias: 'o', value: 'FILE', description: 'write the schema to FILE instead of standard output' },
  },
});
