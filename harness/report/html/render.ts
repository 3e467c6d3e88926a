// renderHtmlReport: one self-contained HTML page for a whole pilot invocation; pure, so tests call it without touching disk.
import { formatMs } from '../../core/wait.ts';
import type { RunSummary, Status } from '../../model/results.ts';
import { STATUS_LABEL, STATUS_MEANING } from '../describe.ts';
import type { RunArtifacts } from './artifacts.ts';
import { SCRIPT, STYLE } from './assets.ts';
import { escapeHtml } from './escape.ts';
import { renderMatrix } from './matrix.ts';
import { renderRun } from './run-view.ts';

export interface HtmlReportInput {
  summary: RunSummary;
  /** What each run left on disk, by run id; a run without an entry is shown without logs. */
  artifacts: Readonly<Record<string, RunArtifacts>>;
  /** False when results.json was written mid-run: the report says so. */
  complete?: boolean;
  /** ISO time the report was made; shown in the footer. */
  generatedAt?: string;
}

const STATUS_ORDER: ReadonlyArray<Status> = ['fail', 'error', 'pass', 'skip'];
/** Nothing may be fetched at view time: the page itself forbids it, whatever a log line contains. */
const CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:";

function title(summary: RunSummary): string {
  const { counts } = summary;
  const bad = counts.fail + counts.error;
  const verdict = bad === 0 ? 'all passed' : [counts.fail ? `${counts.fail} failed` : '', counts.error ? `${counts.error} error${counts.error === 1 ? '' : 's'}` : ''].filter(Boolean).join(', ');
  return `pilot: ${summary.runs.length} run${summary.runs.length === 1 ? '' : 's'}, ${verdict}`;
}

function renderCounts(summary: RunSummary): string {
  return STATUS_ORDER.filter((status) => summary.counts[status] > 0)
    .map(
      (status) =>
        `<button type="button" class="count-chip st-${status}" data-status="${status}" title="${escapeHtml(`${STATUS_MEANING[status]}; click to hide or show these runs`)}">${summary.counts[status]} ${STATUS_LABEL[status]}</button>`,
    )
    .join('');
}

export function renderHtmlReport(input: HtmlReportInput): string {
  const { summary } = input;
  // Failures first: they are why anyone opens the report.
  const ordered = [...summary.runs].sort((a, b) => STATUS_ORDER.indexOf(a.status) - STATUS_ORDER.indexOf(b.status));
  const banners = [
    summary.interrupted ? 'This invocation was interrupted: runs that had not finished are shown as skipped.' : '',
    input.complete === false ? 'pilot had not finished when these results were written: only the runs finished by then are shown.' : '',
  ].filter(Boolean);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${escapeHtml(title(summary))}</title>
<style>${STYLE}</style>
</head>
<body>
<header class="top">
<h1>${escapeHtml(title(summary))}</h1>
<span class="meta">started ${escapeHtml(summary.startedAt)} · ${escapeHtml(formatMs(summary.durationMs))} · ${escapeHtml(summary.artifactsDir)}</span>
<span class="counts">${renderCounts(summary)}</span>
</header>
<main>
${banners.map((text) => `<p class="banner">${escapeHtml(text)}</p>`).join('\n')}
<h2>Scenarios × profiles</h2>
${renderMatrix(summary.runs)}
<h2>Runs</h2>
<div class="toolbar"><button type="button" class="tool" id="expand-all">expand all</button><button type="button" class="tool" id="collapse-all">collapse all</button><span class="muted small">Failed and errored runs are open; click a matrix cell to jump to its run.</span></div>
${ordered.map((run) => renderRun(run, input.artifacts[run.id] ?? { unreadable: [] })).join('\n')}
</main>
<footer>pilot HTML report${input.generatedAt ? `, made ${escapeHtml(input.generatedAt)}` : ''}. Self-contained: no file or network access needed to view it.</footer>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
