// Each remote processor's states over kernel time: a strip to scale, and the lines that moved it.
import { escapeHtml } from './escape.ts';
import type { RprocHistory } from './rproc-history.ts';

const MIN_LABELLED_PERCENT = 7;

function seconds(value: number): string {
  return `${value.toFixed(3)} s`;
}

/** Segments from each event to the next; the last state lasts until the end of the log. */
function renderStrip(history: RprocHistory, endSeconds: number): string {
  const first = history.events[0]!.seconds;
  const span = Math.max(endSeconds - first, 1e-3);
  const segments = history.events.map((event, index) => {
    const until = history.events[index + 1]?.seconds ?? endSeconds;
    const width = Math.max(0, ((until - event.seconds) / span) * 100);
    // Wide enough segments say their state; the narrow ones keep it in their tooltip.
    const label = width >= MIN_LABELLED_PERCENT ? event.state : '';
    return `<span class="rp-seg rp-${event.state}" style="width:${width.toFixed(3)}%" title="${escapeHtml(`${event.state} at ${seconds(event.seconds)}${event.detail ? `: ${event.detail}` : ''}`)}">${label}</span>`;
  });
  return (
    `<div class="rp-strip" aria-hidden="true">${segments.join('')}</div>` +
    `<div class="rp-axis muted"><span>${seconds(first)}</span><span>kernel time</span><span>${seconds(endSeconds)}</span></div>`
  );
}

export function renderRprocHistories(histories: ReadonlyArray<RprocHistory>, endSeconds: number, source: string): string {
  if (histories.length === 0) return `<p class="muted">The remoteproc core logged nothing in ${escapeHtml(source)}.</p>`;
  const end = Math.max(endSeconds, ...histories.flatMap((history) => history.events.map((event) => event.seconds)));
  return histories
    .map((history) => {
      const last = history.events.at(-1)!;
      const rows = history.events
        .map(
          (event) =>
            `<tr><td class="num">${seconds(event.seconds)}</td><td><span class="rp-state rp-${event.state}">${event.state}</span></td>` +
            `<td>${escapeHtml(event.detail ?? '')}</td><td class="mono">${escapeHtml(event.line)}</td></tr>`,
        )
        .join('');
      return (
        `<div class="rproc" data-rproc="${escapeHtml(history.name)}">` +
        `<div class="rp-head"><b>${escapeHtml(history.name)}</b> <span class="muted">${escapeHtml(history.device)}</span> ` +
        `<span class="muted">last:</span> <span class="rp-state rp-${last.state}">${last.state}</span> ` +
        `<span class="muted">${history.events.length} event${history.events.length === 1 ? '' : 's'}</span></div>` +
        renderStrip(history, end) +
        `<details><summary>state changes</summary><table class="rp-table"><thead><tr><th>kernel time</th><th>state</th><th>detail</th><th>line</th></tr></thead><tbody>${rows}</tbody></table></details>` +
        `</div>`
      );
    })
    .join('\n');
}
