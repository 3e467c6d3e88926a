// One run's section: what failed, the timeline, the steps, the remote processors and the logs.
import { formatMs } from '../../core/wait.ts';
import type { RunResult } from '../../model/results.ts';
import { decidingFailure, describeRunOutcome, STATUS_LABEL } from '../describe.ts';
import type { RunArtifacts } from './artifacts.ts';
import { escapeHtml, fragmentId } from './escape.ts';
import { renderFailure } from './failure-view.ts';
import { parseKernelLine, splitLogLines } from './log-lines.ts';
import { formatBytes, renderLogView } from './log-view.ts';
import { parseRprocHistory } from './rproc-history.ts';
import { renderRprocHistories } from './rproc-view.ts';
import { renderTimeline } from './timeline.ts';
import { describeAttempts } from '../describe.ts';

function renderSteps(run: RunResult): string {
  if (run.steps.length === 0) return '<p class="muted">No step was recorded.</p>';
  const { step: deciding } = decidingFailure(run);
  const rows = run.steps.map((step) => {
    const location = step.line === undefined ? run.file : `${run.file}:${step.line}`;
    const assertions = step.assertions.length
      ? `<details><summary>${step.assertions.length} note${step.assertions.length === 1 ? '' : 's'}</summary><ul>${step.assertions.map((note) => `<li>${escapeHtml(note)}</li>`).join('')}</ul></details>`
      : '';
    const failure = step.failure ? `<div class="step-failure"><code>${escapeHtml(step.failure.code)}</code> ${escapeHtml(step.failure.message)}</div>` : '';
    return (
      `<tr class="st-${step.status}${step === deciding ? ' deciding' : ''}" data-step="${step.index + 1}">` +
      `<td class="num">${step.index + 1}</td>` +
      `<td><div class="step-title">${escapeHtml(step.title)}</div><div class="muted mono small">${escapeHtml(location)}</div>${failure}${assertions}</td>` +
      `<td><span class="chip st-${step.status}">${STATUS_LABEL[step.status]}</span></td>` +
      `<td class="num">${step.status === 'skip' ? '' : escapeHtml(formatMs(step.durationMs))}</td></tr>`
    );
  });
  return `<table class="steps"><thead><tr><th>#</th><th>step</th><th>status</th><th>time</th></tr></thead><tbody>${rows.join('\n')}</tbody></table>`;
}

function renderRproc(artifacts: RunArtifacts): string {
  const source = artifacts.dmesgLog ?? artifacts.serialLog;
  if (!source) return '<p class="muted">No kernel log to read the remoteproc history from.</p>';
  const lines = splitLogLines(source.text);
  const end = Math.max(0, ...lines.map((line) => parseKernelLine(line)?.seconds ?? 0));
  const cut = source.omittedBytes > 0 ? `<p class="omitted">Read from the last ${escapeHtml(source.name)} lines kept in this report; earlier changes are not shown.</p>` : '';
  return cut + renderRprocHistories(parseRprocHistory(lines), end, source.name);
}

function deployFacts(run: RunResult): Array<[string, string]> {
  const deploy = run.deploy;
  if (!deploy) return [];
  const t = deploy.timings;
  return [
    ['deployed', `${deploy.kernel}, ${deploy.release} by ${deploy.method}${deploy.previousRelease ? ` (was ${deploy.previousRelease})` : ''}`],
    ['build-id', deploy.buildId ?? 'unknown'],
    ['image sha256', deploy.imageSha256],
    ['deploy time', `${formatMs(t.totalMs)}: prepare ${formatMs(t.prepareMs)}, push ${formatMs(t.pushMs)} (${formatBytes(deploy.pushedBytes)}), load ${formatMs(t.loadMs)}, reboot ${formatMs(t.rebootMs)}, proof ${formatMs(t.proofMs)}`],
  ];
}

/** A known issue keeps the status; the report says which entry matched, as text (its link may point outside). */
function renderKnownIssue(run: RunResult): string {
  const known = run.known;
  if (!known) return '';
  const state = known.expired ? `expired on ${known.expires}: this failure counts as new` : `until ${known.expires}`;
  return (
    `<div class="known${known.expired ? ' expired' : ''}"><b>Known issue</b> ${escapeHtml(known.link)} <span class="muted">(${escapeHtml(state)}; ${escapeHtml(known.source)})</span>` +
    `${known.reason ? `<div>${escapeHtml(known.reason)}</div>` : ''}` +
    `<div class="mono small">matched /${escapeHtml(known.pattern)}/ in ${escapeHtml(known.matchedIn)}: ${escapeHtml(known.matched)}</div></div>`
  );
}

function renderFacts(run: RunResult): string {
  const facts: Array<[string, string]> = [
    ['scenario file', run.file],
    ['profile', run.profile],
    ['started', run.startedAt],
    ['duration', formatMs(run.durationMs)],
    ...(run.kernelRelease ? ([['kernel', run.kernelRelease]] as Array<[string, string]>) : []),
    ...deployFacts(run),
    ...(run.attempts?.length ? ([['attempts', describeAttempts(run)!], ...run.attempts.map((attempt): [string, string] => [`attempt ${attempt.attempt}`, `${attempt.failure?.code ?? attempt.status}: ${attempt.artifactsDir}`])] as Array<[string, string]>) : []),
    ['artifacts', run.artifactsDir],
  ];
  return `<dl class="facts">${facts.map(([name, value]) => `<dt>${escapeHtml(name)}</dt><dd>${escapeHtml(value)}</dd>`).join('')}</dl>`;
}

export function renderRun(run: RunResult, artifacts: RunArtifacts): string {
  const id = fragmentId('run', run.id);
  const outcome = describeRunOutcome(run);
  const broken = run.status === 'fail' || run.status === 'error';
  const { step } = decidingFailure(run);
  // The failure panel says where in full; the summary line names the step only.
  const at = broken && step ? ` <span class="muted">at step ${step.index + 1}</span>` : '';
  const unreadable = artifacts.unreadable.length
    ? `<p class="omitted">Not in this report: ${artifacts.unreadable.map(escapeHtml).join('; ')}.</p>`
    : '';
  return `<section class="run st-${run.status}" id="${escapeHtml(id)}" data-status="${run.status}" data-run="${escapeHtml(run.id)}">
<details class="run-details"${broken ? ' open' : ''}>
<summary><span class="chip st-${run.status}">${outcome.label}</span> <span class="run-id">${escapeHtml(run.scenario)}<span class="at">@</span>${escapeHtml(run.profile)}</span> <span class="muted">${escapeHtml(outcome.duration)}</span>${run.known ? ` <span class="badge known-badge">${run.known.expired ? 'known issue, expired' : 'known issue'}</span>` : ''}${outcome.headline ? ` <span class="run-headline">${escapeHtml(outcome.headline)}</span>` : ''}${at}</summary>
<div class="run-body">
${renderFacts(run)}${unreadable}
${renderKnownIssue(run)}
${renderFailure(run, artifacts)}
<h3>Timeline</h3>
${renderTimeline(run)}
<h3>Steps</h3>
${renderSteps(run)}
<h3>Remote processors</h3>
${renderRproc(artifacts)}
<h3>Logs</h3>
${renderLogView('dmesg', artifacts.dmesgLog, { open: broken, id: `${id}-dmesg` })}
${renderLogView('serial console', artifacts.serialLog, { open: false, id: `${id}-serial` })}
</div>
</details>
</section>`;
}
