// The flags of `pilot merge`, declared once.
import { defineCommand } from '../command-spec.ts';

export const MERGE = defineCommand({
  name: 'merge',
  summary: 'join the results of sharded runs into one results.json and junit.xml',
  operands: '<shard folders or results.json files…> -o DIR',
  about: [
    'Joins the results of `pilot run --shard i/n` jobs into the report one unsharded run would have written:',
    'DIR/results.json, DIR/junit.xml and DIR/report.html, runs in matrix order, counts recomputed. A folder is searched for',
    'results.json files (not through `latest` links). A run reported by two inputs is refused; runs the matrix',
    'plans but no shard reported are ERRORs, so a lost shard job cannot pass unnoticed.',
  ].join('\n'),
  flags: {
    output: { alias: 'o', value: 'DIR', description: 'where to write results.json and junit.xml (required)' },
    'known-issues': { value: 'FILE', description: 'known failures to mark as well', default: 'known-issues.yaml when present' },
  },
  epilogue: [
    'exit codes, as pilot run: 0 all passed or failed only on known issues, 1 new failures (none errored),',
    '2 an error or bad input, 130 a shard was interrupted',
  ].join('\n'),
});
