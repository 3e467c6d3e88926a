// Splits a log into lines and tags the ones a kernel developer looks for first: the kernel's own error reports, and lines that smell of failure.
import { DEFAULT_FAULT_PATTERN, DEFAULT_SUPPRESSED_PATTERN } from '../../scenario/fault-storm-setting.ts';
import { KERNEL_ERROR_PATTERNS, type KernelErrorPatternName } from '../../model/kernel-error-patterns.ts';
import { cleanLogLine } from './escape.ts';

/** `[    4.313551] text` as dmesg and the kernel console print it; evidence lines may carry a leading '>' marker. */
const KERNEL_LINE = /^(?:[> ] )?\[\s*(\d+\.\d+)\]\s?(.*)$/;
/** Words of failure that are not kernel error reports but still deserve a second look (SMMU faults, timeouts, refused images). */
const ATTENTION = /\b(?:fail(?:ed|s|ure)?|errors?|timed out|timeout|faults?|crash(?:ed)?|refus(?:e|ed|ing)|can't|cannot|denied)\b/i;

/** The fault-storm rule's own patterns: SMMU translation faults are the classic EL2 regression. */
const SMMU_FAULT = new RegExp(`${DEFAULT_FAULT_PATTERN}|${DEFAULT_SUPPRESSED_PATTERN}`);

export type LineTag = 'kernel-error' | 'attention' | 'plain';

export interface KernelLine {
  /** Seconds since boot, as printed. */
  seconds: number;
  text: string;
}

export function parseKernelLine(line: string): KernelLine | undefined {
  const match = KERNEL_LINE.exec(line);
  return match ? { seconds: Number(match[1]), text: match[2]! } : undefined;
}

/** The oracle's patterns are anchored on the message, so the timestamp comes off before they are tried. */
export function kernelErrorOf(line: string): KernelErrorPatternName | undefined {
  const text = parseKernelLine(line)?.text ?? line;
  return KERNEL_ERROR_PATTERNS.find((pattern) => pattern.regex.test(text))?.name;
}

export function tagLine(line: string): LineTag {
  if (kernelErrorOf(line)) return 'kernel-error';
  return ATTENTION.test(line) || SMMU_FAULT.test(line) ? 'attention' : 'plain';
}

/** Lines of a log file, cleaned; a trailing newline does not make an empty last line. */
export function splitLogLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.replace(/\r+\n/g, '\n').replace(/\n$/, '').split('\n');
  // A console line rewritten with \r keeps only what was printed last, as a terminal would show it.
  return lines.map((line) => cleanLogLine(line.slice(line.lastIndexOf('\r') + 1)));
}
