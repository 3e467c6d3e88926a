// Evidence lines for failures: what the kernel or the command actually printed, quoted as a reader would see it.
import { formatKmsg, type KmsgRecord } from '../guest/guest.ts';

export const RECORDS_QUOTED = 10;
const OUTPUT_LINES_QUOTED = 20;

/** The last records seen, or a note that there were none, so "line missing" failures show what was there instead. */
export function lastRecords(records: ReadonlyArray<KmsgRecord>, count = RECORDS_QUOTED): string[] {
  if (records.length === 0) return ['(no kernel log records in this window)'];
  const shown = records.slice(-count).map(formatKmsg);
  return records.length > count ? [`(last ${count} of ${records.length} records)`, ...shown] : shown;
}

export function quoteRecords(records: ReadonlyArray<KmsgRecord>, max = RECORDS_QUOTED): string[] {
  const shown = records.slice(0, max).map(formatKmsg);
  return records.length > max ? [...shown, `(${records.length - max} more)`] : shown;
}

/** The tail of a command's output stream, labelled, or nothing when the stream was empty; `keptAs` names the file with all of it. */
export function outputTail(label: string, text: string, count = OUTPUT_LINES_QUOTED, keptAs?: string): string[] {
  const lines = text.replace(/\n$/, '').split('\n');
  if (text.trim() === '') return [];
  const shown = lines.slice(-count).map((line) => `${label}| ${line}`);
  return lines.length > count ? [`${label}: (last ${count} of ${lines.length} lines${keptAs ? `; all in ${keptAs}` : ''})`, ...shown] : shown;
}
