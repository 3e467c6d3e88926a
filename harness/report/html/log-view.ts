// Logs as numbered, tagged lines with a search box; kernel error reports stand out and can be shown alone.
import type { LogText } from './artifacts.ts';
import { escapeHtml } from './escape.ts';
import { splitLogLines, tagLine, type LineTag } from './log-lines.ts';

/** Past this many lines the browser is told to skip laying out lines scrolled out of view. */
const BIG_LOG_LINES = 2_000;

const TAG_CLASS: Readonly<Record<LineTag, string>> = { 'kernel-error': 'ln ke', attention: 'ln at', plain: 'ln' };

/** One line per element, so the search can hide lines without re-rendering; `mark` picks lines to point at (evidence). */
export function renderLines(lines: ReadonlyArray<string>, options: { firstNumber?: number; mark?: (line: string) => boolean } = {}): string {
  const first = options.firstNumber ?? 1;
  return lines
    .map((line, offset) => {
      const classes = TAG_CLASS[tagLine(line)] + (options.mark?.(line) ? ' mk' : '');
      // The number is drawn by CSS from data-n: less markup per line, and copying lines does not copy numbers.
      return `<div class="${classes}" data-n="${first + offset}">${escapeHtml(line)}</div>`;
    })
    .join('');
}

export function countKernelErrorLines(lines: ReadonlyArray<string>): number {
  return lines.filter((line) => tagLine(line) === 'kernel-error').length;
}

export function describeOmission(log: LogText): string | undefined {
  if (log.omittedBytes === 0) return undefined;
  return `The first ${formatBytes(log.omittedBytes)} of ${formatBytes(log.totalBytes)} are left out to keep this report openable; the whole file is ${log.name} in the run's folder.`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** A searchable log inside a <details>; `open` for the logs of a failing run. */
export function renderLogView(title: string, log: LogText | undefined, options: { open: boolean; id: string }): string {
  if (!log) return `<details class="log-section"><summary>${escapeHtml(title)} <span class="muted">(not available)</span></summary></details>`;
  const lines = splitLogLines(log.text);
  const errors = countKernelErrorLines(lines);
  const omission = describeOmission(log);
  const errorBadge = errors ? ` <span class="badge ke-badge">${errors} kernel error line${errors === 1 ? '' : 's'}</span>` : '';
  return (
    `<details class="log-section"${options.open ? ' open' : ''} id="${escapeHtml(options.id)}">` +
    `<summary>${escapeHtml(title)} <span class="muted">${lines.length} lines, ${escapeHtml(formatBytes(log.totalBytes))}</span>${errorBadge}</summary>` +
    `<div class="logview" data-log="${escapeHtml(log.name)}">` +
    `<div class="log-tools"><input type="search" class="log-search" placeholder="Search ${escapeHtml(log.name)} (text, or /regex/)" aria-label="search ${escapeHtml(log.name)}">` +
    `<label><input type="checkbox" class="log-errors-only"> kernel errors only</label>` +
    `<label><input type="checkbox" class="log-wrap"> wrap</label>` +
    `<span class="log-count muted">${lines.length} lines</span></div>` +
    (omission ? `<p class="omitted">${escapeHtml(omission)}</p>` : '') +
    `<div class="log${lines.length > BIG_LOG_LINES ? ' big' : ''}">${renderLines(lines, { firstNumber: 1 })}</div></div></details>`
  );
}
