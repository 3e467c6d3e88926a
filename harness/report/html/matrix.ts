// Scenarios down, profiles across: one coloured cell per run, linking to its section.
import { formatMs } from '../../core/wait.ts';
import { PROFILE_NAMES } from '../../model/profile.ts';
import type { RunResult } from '../../model/results.ts';
import { STATUS_LABEL, STATUS_MEANING } from '../describe.ts';
import { escapeHtml, fragmentId } from './escape.ts';

export interface MatrixShape {
  scenarios: string[];
  profiles: string[];
  cell: (scenario: string, profile: string) => RunResult | undefined;
}

/** Scenarios in the order they ran; profiles in pilot's order, then any others. */
export function matrixShape(runs: ReadonlyArray<RunResult>): MatrixShape {
  const scenarios = [...new Set(runs.map((run) => run.scenario))];
  const present = new Set<string>(runs.map((run) => run.profile));
  const profiles = [...PROFILE_NAMES.filter((name) => present.has(name)), ...[...present].filter((name) => !(PROFILE_NAMES as ReadonlyArray<string>).includes(name))];
  const byKey = new Map(runs.map((run) => [`${run.scenario}\u0000${run.profile}`, run]));
  return { scenarios, profiles, cell: (scenario, profile) => byKey.get(`${scenario}\u0000${profile}`) };
}

export function renderMatrix(runs: ReadonlyArray<RunResult>): string {
  if (runs.length === 0) return '<p class="muted">No run finished.</p>';
  const shape = matrixShape(runs);
  const head = `<tr><th class="corner">scenario \\ profile</th>${shape.profiles.map((profile) => `<th>${escapeHtml(profile)}</th>`).join('')}</tr>`;
  const rows = shape.scenarios.map((scenario) => {
    const cells = shape.profiles.map((profile) => {
      const run = shape.cell(scenario, profile);
      if (!run) return '<td class="cell none" title="not in this run">·</td>';
      const title = `${run.id}: ${STATUS_LABEL[run.status]}, ${STATUS_MEANING[run.status]}`;
      return (
        `<td class="cell st-${run.status}" data-run="${escapeHtml(run.id)}" data-status="${run.status}">` +
        `<a href="#${escapeHtml(fragmentId('run', run.id))}" title="${escapeHtml(title)}"><span class="cell-label">${STATUS_LABEL[run.status]}</span>` +
        `<span class="cell-time">${run.status === 'skip' ? '' : escapeHtml(formatMs(run.durationMs))}</span></a></td>`
      );
    });
    return `<tr><th class="scenario">${escapeHtml(scenario)}</th>${cells.join('')}</tr>`;
  });
  return `<table class="matrix"><thead>${head}</thead><tbody>${rows.join('\n')}</tbody></table>`;
}
