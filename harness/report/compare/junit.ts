// compare-junit.xml: one <testcase> per scenario@profile, so CI turns red on a regression and on nothing else.
//
// A regression is a <failure>; an inconclusive pair is an <error> (the machine broke, not the kernel); fixed, still
// failing, unchanged, skipped, new and gone pass, with the verdict first in <system-out>. A kernel that fails on both
// sides is not the patch's doing, so it must not block the patch. Suites go per profile as in junit.xml; the classname
// `compare.<profile>` keeps these testcases apart from junit.xml's `<profile>.<scenario>` when CI collects both.
import { writeFileAtomic } from '../atomic-write.ts';
import { VERDICT_MEANING, profileRank, type ComparedRun, type Comparison, type FailureSnapshot, type SideOutcome } from './compare.ts';
import { STATUS_LABEL, capLines, firstLine } from '../describe.ts';
import { element, openTag } from '../xml.ts';

export interface CompareJunitOptions {
  /** Evidence lines quoted per failure. */
  evidenceLines?: number;
}

export function renderCompareJunit(comparison: Comparison, options: CompareJunitOptions = {}): string {
  const evidenceLimit = options.evidenceLines ?? 200;
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    openTag('testsuites', {
      name: 'pilot compare',
      tests: comparison.runs.length,
      failures: comparison.counts.regressed,
      errors: comparison.counts.inconclusive,
      skipped: 0,
    }),
  ];
  // Stable order whatever the verdicts, so two reports of the same matrix diff cleanly.
  const groups = [...groupByProfile(comparison.runs)].sort(([a], [b]) => profileRank(a) - profileRank(b));
  groups.forEach(([profile, runs], id) => {
    const failures = runs.filter((r) => r.verdict === 'regressed').length;
    const errors = runs.filter((r) => r.verdict === 'inconclusive').length;
    lines.push(`  ${openTag('testsuite', { name: `compare ${profile}`, id, tests: runs.length, failures, errors, skipped: 0, time: seconds(runs) })}`);
    const ordered = [...runs].sort((a, b) => (a.scenario < b.scenario ? -1 : a.scenario > b.scenario ? 1 : 0));
    for (const run of ordered) lines.push(...renderTestcase(run, evidenceLimit).map((l) => `    ${l}`));
    lines.push('  </testsuite>');
  });
  lines.push('</testsuites>', '');
  return lines.join('\n');
}

export async function writeCompareJunit(comparison: Comparison, path: string, options: CompareJunitOptions = {}): Promise<void> {
  await writeFileAtomic(path, renderCompareJunit(comparison, options));
}

function renderTestcase(run: ComparedRun, evidenceLimit: number): string[] {
  const lines = [openTag('testcase', { name: run.id, classname: `compare.${run.profile}`, file: run.file, time: seconds([run]) })];
  if (run.verdict === 'regressed') {
    const failure = run.patched?.failure;
    const message = failure ? `regressed: ${failure.code}: ${firstLine(failure.message)}` : 'regressed';
    lines.push(`  ${element('failure', { message: clip(message, 1000), type: failure?.code ?? 'regressed' }, sideText(run, evidenceLimit))}`);
  } else if (run.verdict === 'inconclusive') {
    const errored = run.side === 'baseline' ? run.baseline : run.patched;
    const failure = errored?.failure;
    const message = `inconclusive: ERROR on ${run.side === 'both' ? 'both sides' : `the ${run.side} side`}${failure ? `: ${failure.code}: ${firstLine(failure.message)}` : ''}`;
    lines.push(`  ${element('error', { message: clip(message, 1000), type: failure?.code ?? 'inconclusive' }, sideText(run, evidenceLimit))}`);
  } else {
    // Failures carry both sides in their body already; a passing testcase keeps its story in system-out.
    lines.push(`  ${element('system-out', {}, sideText(run, evidenceLimit))}`);
  }
  lines.push('</testcase>');
  return lines;
}

/** What a CI shows on opening the testcase: the verdict and its meaning, then both sides with failure and evidence. */
function sideText(run: ComparedRun, evidenceLimit: number): string {
  const changed = run.failureChanged ? ' (failure changed)' : '';
  const lines = [`${run.verdict}${changed}: ${run.id} from ${run.file} — ${VERDICT_MEANING[run.verdict]}`];
  for (const [name, side] of [['baseline', run.baseline], ['patched', run.patched]] as const) lines.push(...describeSide(name, side, evidenceLimit));
  return lines.join('\n');
}

function describeSide(name: string, side: SideOutcome | undefined, evidenceLimit: number): string[] {
  if (!side) return [`${name}: no result`];
  const release = side.kernel ? ` on ${side.kernel}` : side.kernelRelease ? ` on ${side.kernelRelease}` : '';
  return [`${name}: ${STATUS_LABEL[side.status]}${release}, artifacts ${side.artifactsDir}`, ...failureLines(side.failure, evidenceLimit).map((l) => `    ${l}`)];
}

function failureLines(failure: FailureSnapshot | undefined, evidenceLimit: number): string[] {
  if (!failure) return [];
  const lines = [failure.where, `${failure.code}: ${failure.message}`];
  const evidence = capLines(failure.evidence, evidenceLimit);
  if (evidence.length) lines.push('evidence:', ...evidence.map((l) => `    ${l}`));
  if (failure.hint) lines.push(`hint: ${failure.hint}`);
  return lines;
}

function groupByProfile(runs: ComparedRun[]): Map<string, ComparedRun[]> {
  const groups = new Map<string, ComparedRun[]>();
  for (const run of runs) groups.set(run.profile, [...(groups.get(run.profile) ?? []), run]);
  return groups;
}

/** The patched side's time: that is the run this report is about. */
function seconds(runs: ComparedRun[]): string {
  const ms = runs.reduce((sum, r) => sum + (r.patched?.durationMs ?? 0), 0);
  return (Math.max(0, ms) / 1000).toFixed(3);
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
