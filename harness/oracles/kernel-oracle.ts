// The kernel-error oracle: after every step, the kernel's own error reports in that step's records fail it, unless the scenario opted out.
import { AssertionFailure } from '../core/errors.ts';
import { formatKmsg, type KmsgRecord } from '../guest/guest.ts';
import { KERNEL_ERROR_PATTERNS, isKernelErrorPatternName, type KernelErrorOptOut, type KernelErrorPatternName } from '../model/kernel-error-patterns.ts';

/** Records after a report that still belong to it (its registers and call trace), unless an end marker comes first. */
const REPORT_SPAN = 80;
const END_OF_REPORT = /^---\[ end /;
const CONTEXT_BEFORE = 2;
const CONTEXT_AFTER = 8;
const MAX_EVIDENCE_LINES = 60;

export interface KernelErrorIncident {
  pattern: KernelErrorPatternName;
  /** The record that opened the report. */
  record: KmsgRecord;
  /** Later records of the same report that matched a pattern too (usually its Call trace:). */
  related: KmsgRecord[];
  /** The report's lines with a little context, formatted as dmesg prints them. */
  evidence: string[];
}

export interface OracleResult {
  /** Reports that fail the step. */
  incidents: KernelErrorIncident[];
  /** Reports the scenario opted out of, with the opt-out that matched. */
  ignored: Array<{ incident: KernelErrorIncident; optOut: KernelErrorOptOut }>;
}

/** Finds the kernel's error reports in `records`; only facility 0 counts, since user space can write anything to /dev/kmsg. */
export function checkKernelErrors(records: ReadonlyArray<KmsgRecord>, optOuts: ReadonlyArray<KernelErrorOptOut> = []): OracleResult {
  const found: Array<KernelErrorIncident & { index: number }> = [];
  let open: { incident: KernelErrorIncident; index: number } | undefined;
  records.forEach((record, index) => {
    if (record.facility !== 0) return;
    if (open && (index - open.index > REPORT_SPAN || END_OF_REPORT.test(record.text))) open = undefined;
    const pattern = KERNEL_ERROR_PATTERNS.find((candidate) => candidate.regex.test(record.text));
    if (!pattern) return;
    if (pattern.name === 'call-trace' && open) {
      open.incident.related.push(record);
      return;
    }
    const incident = { pattern: pattern.name, record, related: [], evidence: [], index };
    found.push(incident);
    open = { incident, index };
  });
  const result: OracleResult = { incidents: [], ignored: [] };
  for (const { index, ...incident } of found) {
    incident.evidence = evidenceAround(records, index);
    const optOut = optOuts.find((candidate) => optOutMatches(candidate, incident));
    if (optOut) result.ignored.push({ incident, optOut });
    else result.incidents.push(incident);
  }
  return result;
}

function optOutMatches(optOut: KernelErrorOptOut, incident: KernelErrorIncident): boolean {
  if (isKernelErrorPatternName(optOut.pattern)) return optOut.pattern === incident.pattern;
  try {
    return new RegExp(optOut.pattern).test(incident.record.text);
  } catch {
    return false; // the loader rejects bad regexes; a hand-built opt-out must not silence everything
  }
}

function evidenceAround(records: ReadonlyArray<KmsgRecord>, index: number): string[] {
  const from = Math.max(0, index - CONTEXT_BEFORE);
  const to = Math.min(records.length, index + CONTEXT_AFTER + 1);
  return records.slice(from, to).map((record, offset) => `${from + offset === index ? '>' : ' '} ${formatKmsg(record)}`);
}

/** The AssertionFailure a step gets when the oracle finds reports; `where` is e.g. "during step 3" or "during boot". */
export function kernelErrorFailure(incidents: ReadonlyArray<KernelErrorIncident>, where: string): AssertionFailure {
  const names = [...new Set(incidents.map((incident) => incident.pattern))].join(', ');
  const first = incidents[0];
  const headline = first ? `: ${first.record.text}` : '';
  const evidence: string[] = [];
  for (const incident of incidents) {
    if (evidence.length >= MAX_EVIDENCE_LINES) break;
    if (evidence.length) evidence.push('  …');
    evidence.push(...incident.evidence);
  }
  return new AssertionFailure(
    'F_KERNEL_ERROR',
    `kernel reported ${incidents.length === 1 ? 'an error' : `${incidents.length} errors`} (${names}) ${where}${headline}`,
    {
      evidence: evidence.slice(0, MAX_EVIDENCE_LINES),
      hint: 'If this report is expected, opt out in the scenario: kernel-errors: [{ pattern: <name or regex>, reason: … }]',
    },
  );
}

/** Report lines for what the oracle checked, including every opt-out that silenced a report and why. */
export function describeOracleResult(result: OracleResult, optOuts: ReadonlyArray<KernelErrorOptOut>): string[] {
  const notes: string[] = [];
  const optedOut = optOuts.length ? ` (opted out: ${optOuts.map((optOut) => optOut.pattern).join(', ')})` : '';
  if (result.incidents.length === 0) notes.push(`no kernel error reports${optedOut}`);
  for (const { incident, optOut } of result.ignored) {
    notes.push(`ignored kernel ${incident.pattern} report "${incident.record.text}": opted out by '${optOut.pattern}' because ${optOut.reason}`);
  }
  return notes;
}
