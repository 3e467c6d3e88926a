// The failure that decided a run, where it happened, the kernel's lines that prove it, and the dmesg around them.
import type { RunResult } from '../../model/results.ts';
import { describeFailure, STATUS_LABEL, STATUS_MEANING } from '../describe.ts';
import type { RunArtifacts } from './artifacts.ts';
import { escapeHtml } from './escape.ts';
import { splitLogLines } from './log-lines.ts';
import { describeOmission, renderLines } from './log-view.ts';

const EVIDENCE_LIMIT = 60;
const STEP_DMESG_LINES = 200;
const CONTEXT_LINES = 4;
const AROUND_LIMIT = 200;

/** The evidence's own text, without the oracle's '>' marker, so it can be found in dmesg.log. */
function evidenceKey(line: string): string {
  return line.replace(/^[> ] (?=\[)/, '').trim();
}

/** Windows of dmesg around every evidence line found in it, merged where they touch; `gap` marks where lines were skipped. */
export function linesAroundEvidence(dmesg: ReadonlyArray<string>, evidence: ReadonlyArray<string>, context = CONTEXT_LINES): Array<{ from: number; lines: string[] }> {
  const keys = new Set(evidence.map(evidenceKey).filter((key) => key.startsWith('[')));
  const hits = dmesg.flatMap((line, index) => (keys.has(line.trim()) ? [index] : []));
  const windows: Array<{ from: number; to: number }> = [];
  for (const hit of hits) {
    const from = Math.max(0, hit - context);
    const to = Math.min(dmesg.length, hit + context + 1);
    const previous = windows.at(-1);
    if (previous && from <= previous.to) previous.to = Math.max(previous.to, to);
    else windows.push({ from, to });
  }
  let budget = AROUND_LIMIT;
  return windows.flatMap(({ from, to }) => {
    if (budget <= 0) return [];
    const lines = dmesg.slice(from, Math.min(to, from + budget));
    budget -= lines.length;
    return [{ from, lines }];
  });
}

export function renderFailure(run: RunResult, artifacts: RunArtifacts): string {
  if (run.status === 'pass') return '';
  const description = describeFailure(run, EVIDENCE_LIMIT);
  const evidenceKeys = new Set(description.evidence.map(evidenceKey));
  const parts = [
    `<div class="failure st-${run.status}" role="alert">`,
    `<div class="verdict"><span class="chip st-${run.status}">${STATUS_LABEL[run.status]}</span> ${escapeHtml(STATUS_MEANING[run.status])}</div>`,
    `<div class="where">${escapeHtml(description.where)}</div>`,
  ];
  if (description.headline) parts.push(`<pre class="headline">${escapeHtml(description.headline)}</pre>`);
  if (description.evidence.length) {
    parts.push(`<h4>Evidence</h4><div class="log evidence">${renderLines(description.evidence)}</div>`);
  }
  if (description.hint) parts.push(`<p class="hint"><b>Hint:</b> ${escapeHtml(description.hint)}</p>`);

  const step = artifacts.failingStepDmesg;
  if (step) {
    const all = splitLogLines(step.text);
    const shown = all.slice(-STEP_DMESG_LINES);
    const cut = all.length - shown.length;
    const notes = [describeOmission(step), cut ? `The first ${cut} of ${all.length} lines are left out.` : undefined].filter(Boolean).join(' ');
    parts.push(`<h4>dmesg during the failing step <span class="muted">${escapeHtml(step.name)}</span></h4>`);
    parts.push(
      shown.length
        ? `${notes ? `<p class="omitted">${escapeHtml(notes)}</p>` : ''}<div class="log step-dmesg">${renderLines(shown, { firstNumber: cut + 1, mark: (line) => evidenceKeys.has(line.trim()) })}</div>`
        : '<p class="muted">The kernel logged nothing while this step ran.</p>',
    );
  }
  if (artifacts.dmesgLog) {
    const dmesg = splitLogLines(artifacts.dmesgLog.text);
    const windows = linesAroundEvidence(dmesg, description.evidence);
    if (windows.length) {
      parts.push(`<h4>dmesg around the evidence <span class="muted">dmesg.log</span></h4><div class="log around">`);
      windows.forEach((window, index) => {
        if (index > 0 || window.from > 0) parts.push('<div class="gap">⋯</div>');
        parts.push(renderLines(window.lines, { firstNumber: window.from + 1, mark: (line) => evidenceKeys.has(line.trim()) }));
      });
      parts.push('</div>');
    }
  }
  parts.push('</div>');
  return parts.join('\n');
}
