// A run's phases and steps laid out to scale on one time axis, so the slow part of a run is the long bar.
import { formatMs } from '../../core/wait.ts';
import type { RunResult, Status } from '../../model/results.ts';
import { escapeHtml } from './escape.ts';

export interface TimelineBar {
  label: string;
  kind: 'phase' | 'step';
  /** Phase name (`kernel-boot`) or step kind (`expect-dmesg`). */
  name: string;
  status?: Status;
  /** From the run's start. */
  startMs: number;
  durationMs: number;
  leftPercent: number;
  widthPercent: number;
  /** The start was inferred from the durations before it (results written before steps recorded their start). */
  approximate: boolean;
  /** Never ran: drawn as an empty row. */
  notRun: boolean;
}

export interface TimelineLayout {
  totalMs: number;
  bars: TimelineBar[];
  ticks: Array<{ atMs: number; leftPercent: number; label: string }>;
  /** Index into bars of the longest one that ran, the first thing to look at. */
  longest: number | undefined;
}

/** The 'steps' phase spans all steps, which have rows of their own. */
const AGGREGATE_PHASES = new Set(['steps']);
const TICK_STEPS_MS = [100, 200, 500, 1_000, 2_000, 5_000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 1_800_000, 3_600_000];
const MAX_TICKS = 10;

export function layoutTimeline(run: RunResult): TimelineLayout {
  const starts = [...run.phases.map((phase) => phase.startedAtMs), ...run.steps.flatMap((step) => (step.startedAtMs === undefined ? [] : [step.startedAtMs]))];
  const runStart = Date.parse(run.startedAt);
  // Hand-built results count phases from 0 while real ones use Date.now(); the earliest instant is the origin either way.
  const origin = Math.min(...starts, Number.isNaN(runStart) ? Infinity : runStart);
  const rows: Array<Omit<TimelineBar, 'leftPercent' | 'widthPercent'>> = [];
  for (const phase of run.phases) {
    if (AGGREGATE_PHASES.has(phase.name)) continue;
    rows.push({ label: phase.name, kind: 'phase', name: phase.name, startMs: phase.startedAtMs - origin, durationMs: phase.durationMs, approximate: false, notRun: false });
  }
  // Without recorded starts, steps follow one another from the start of the 'steps' phase (or the end of the last phase).
  const stepsPhase = run.phases.find((phase) => phase.name === 'steps');
  const lastPhaseEnd = Math.max(0, ...run.phases.map((phase) => phase.startedAtMs - origin + phase.durationMs));
  let cursor = stepsPhase ? stepsPhase.startedAtMs - origin : lastPhaseEnd;
  for (const step of run.steps) {
    const notRun = step.status === 'skip' && step.startedAtMs === undefined;
    const startMs = step.startedAtMs === undefined ? cursor : step.startedAtMs - origin;
    rows.push({
      label: `${step.index + 1}. ${step.title}`,
      kind: 'step',
      name: step.kind,
      status: step.status,
      startMs,
      durationMs: step.durationMs,
      approximate: step.startedAtMs === undefined && !notRun,
      notRun,
    });
    cursor = startMs + step.durationMs;
  }
  const totalMs = Math.max(run.durationMs, ...rows.map((row) => row.startMs + row.durationMs), 1);
  const bars = rows.map((row) => ({ ...row, leftPercent: percent(row.startMs, totalMs), widthPercent: percent(row.durationMs, totalMs) }));
  let longest: number | undefined;
  bars.forEach((bar, index) => {
    if (!bar.notRun && bar.durationMs > 0 && (longest === undefined || bar.durationMs > bars[longest]!.durationMs)) longest = index;
  });
  return { totalMs, bars, ticks: ticksFor(totalMs), longest };
}

function percent(part: number, whole: number): number {
  return Math.min(100, Math.max(0, (part / whole) * 100));
}

function ticksFor(totalMs: number): TimelineLayout['ticks'] {
  const step = TICK_STEPS_MS.find((candidate) => totalMs / candidate <= MAX_TICKS) ?? TICK_STEPS_MS.at(-1)!;
  const ticks: TimelineLayout['ticks'] = [];
  for (let at = 0; at <= totalMs; at += step) ticks.push({ atMs: at, leftPercent: percent(at, totalMs), label: tickLabel(at, step) });
  return ticks;
}

function tickLabel(ms: number, step: number): string {
  if (step >= 60_000) return `${ms / 60_000} min`;
  return step < 1_000 ? `${(ms / 1000).toFixed(1)} s` : `${ms / 1000} s`;
}

const css = (value: number) => `${value.toFixed(3)}%`;

export function renderTimeline(run: RunResult): string {
  const layout = layoutTimeline(run);
  if (layout.bars.length === 0) return '<p class="muted">Nothing ran: no phase or step was recorded.</p>';
  const ticks = layout.ticks.map((tick) => `<span class="tl-tick" style="left:${css(tick.leftPercent)}">${escapeHtml(tick.label)}</span>`).join('');
  const rows = layout.bars
    .map((bar, index) => {
      const classes = ['tl-row', bar.kind, bar.kind === 'phase' ? `ph-${bar.name.replace(/[^\w-]/g, '_')}` : `st-${bar.status}`];
      if (index === layout.longest) classes.push('longest');
      if (bar.notRun) classes.push('not-run');
      const when = bar.notRun ? 'not run' : `${formatMs(bar.durationMs)}, from ${formatMs(bar.startMs)}${bar.approximate ? ' (start inferred)' : ''}`;
      const barHtml = bar.notRun
        ? ''
        : `<div class="tl-bar" style="left:${css(bar.leftPercent)};width:${css(bar.widthPercent)}" title="${escapeHtml(`${bar.label}: ${when}`)}"></div>`;
      return (
        `<div class="${classes.join(' ')}" data-duration-ms="${bar.durationMs}">` +
        `<div class="tl-label" title="${escapeHtml(bar.label)}">${escapeHtml(bar.label)}</div>` +
        `<div class="tl-track">${barHtml}</div>` +
        `<div class="tl-dur">${bar.notRun ? 'not run' : escapeHtml(formatMs(bar.durationMs))}</div></div>`
      );
    })
    .join('\n');
  return (
    `<div class="timeline" data-total-ms="${layout.totalMs}">` +
    `<div class="tl-row tl-axis"><div class="tl-label"></div><div class="tl-track">${ticks}</div><div class="tl-dur">${escapeHtml(formatMs(layout.totalMs))}</div></div>\n` +
    `${rows}</div>`
  );
}
