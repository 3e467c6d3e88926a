// The flags of `pilot report`, declared once.
import { defineCommand } from '../command-spec.ts';

/** The report formats `pilot report` can rebuild. */
export const REPORT_FORMATS = ['html'] as const;

export const REPORT = defineCommand({
  name: 'report',
  summary: 'rebuild a report (html) from a results.json and its artifacts',
  operands: 'html <results.json or artifacts folder>',
  about: [
    'Writes a self-contained HTML report (matrix, timelines, failures with their dmesg,',
    'searchable logs, remoteproc state history) from a results.json and the run folders beside it.',
    'Default output: report.html next to results.json.',
  ].join('\n'),
  flags: {
    out: { alias: 'o', value: 'FILE', description: 'write the report to FILE' },
  },
});
