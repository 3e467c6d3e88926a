// junit.xml for GitLab and Jenkins: one <testsuite> per profile, one <testcase> per run, steps in <system-out>.
//
// Why per profile: the regression pilot exists for passes under a hypervisor and fails at EL2, so a suite per
// profile puts "kvm-el2: 3 failures, xen-el1: 0" on the first screen, and the classname is the profile alone,
// because GitLab's JUnit view groups test cases by classname and Jenkins by class; the scenario is the test's name. Why per run, not per step: a testcase name must stay stable
// across commits for GitLab to tell new failures from old ones, and step titles change whenever a step's
// arguments do; steps after a failure never run and would pad the report with skips.
import { hostname as osHostname } from 'node:os';
import { join } from 'node:path';
import { formatMs } from '../core/wait.ts';
import { writeFileAtomic } from './atomic-write.ts';
import { STATUS_LABEL, STATUS_MEANING, decidingFailure, describeFailure, firstLine } from './describe.ts';
import { describeKnown, describeKnownEvidence, isKnownFailure } from '../known-issues/describe.ts';
import type { Reporter } from './reporter.ts';
import { countStatuses, type RunResult, type RunSummary } from '../model/results.ts';
import { element, openTag } from './xml.ts';
import { JUNIT_XML } from '../model/artifact-names.ts';

export interface JunitOptions {
  /** Recorded on every <testsuite>; os.hostname() by default. */
  hostname?: string;
  /** Evidence lines quoted per failure. */
  evidenceLines?: number;
}

export function renderJunit(summary: RunSummary, options: JunitOptions = {}): string {
  const hostname = options.hostname ?? osHostname();
  const evidenceLimit = options.evidenceLines ?? 200;
  const counts = countStatuses(summary.runs);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    openTag('testsuites', {
      name: 'pilot',
      tests: summary.runs.length,
      failures: counts.fail,
      errors: counts.error,
      skipped: counts.skip,
      time: seconds(summary.durationMs),
      timestamp: junitTimestamp(summary.startedAt),
    }),
  ];
  [...groupByProfile(summary.runs)].forEach(([profile, runs], id) => {
    lines.push(...renderSuite(profile, runs, id, hostname, evidenceLimit).map(indent(1)));
  });
  lines.push('</testsuites>', '');
  return lines.join('\n');
}

export async function writeJunit(summary: RunSummary, path: string, options: JunitOptions = {}): Promise<void> {
  await writeFileAtomic(path, renderJunit(summary, options));
}

/** Writes `<artifactsDir>/junit.xml` when the whole run ends. */
export function createJunitReporter(options: JunitOptions & { fileName?: string } = {}): Reporter {
  return {
    name: 'junit',
    onEnd: (summary) => writeJunit(summary, join(summary.artifactsDir, options.fileName ?? JUNIT_XML), options),
  };
}

function renderSuite(profile: string, runs: RunResult[], id: number, hostname: string, evidenceLimit: number): string[] {
  const counts = countStatuses(runs);
  const starts = runs.map((r) => Date.parse(r.startedAt)).filter(Number.isFinite);
  const lines = [
    openTag('testsuite', {
      name: profile,
      id,
      tests: runs.length,
      failures: counts.fail,
      errors: counts.error,
      skipped: counts.skip,
      time: seconds(runs.reduce((sum, r) => sum + r.durationMs, 0)),
      timestamp: starts.length ? junitTimestamp(new Date(Math.min(...starts)).toISOString()) : undefined,
      hostname,
    }),
  ];
  for (const run of runs) lines.push(...renderTestcase(run, evidenceLimit).map(indent(1)));
  lines.push('</testsuite>');
  return lines;
}

function renderTestcase(run: RunResult, evidenceLimit: number): string[] {
  const lines = [
    openTag('testcase', {
      name: run.scenario,
      classname: run.profile,
      file: run.file,
      time: seconds(run.durationMs),
    }),
  ];
  const { failure } = decidingFailure(run);
  if (run.status === 'fail' || run.status === 'error') {
    const code = failure?.code ?? STATUS_LABEL[run.status];
    const verdict = failure ? `${failure.code}: ${firstLine(failure.message)}` : STATUS_MEANING[run.status];
    // Still a <failure>, so nothing is hidden; the message says up front that it is a known one.
    const message = isKnownFailure(run) ? `KNOWN (${run.known!.link}) ${verdict}` : verdict;
    const tag = run.status === 'fail' ? 'failure' : 'error';
    lines.push(indent(1)(element(tag, { message: clip(message, 1000), type: code }, failureText(run, evidenceLimit))));
  } else if (run.flaky) {
    // Surefire's rerun format, which Jenkins and GitLab read: the testcase passed, each earlier error stays visible.
    for (const attempt of run.attempts ?? []) {
      const message = attempt.failure ? `${attempt.failure.code}: ${firstLine(attempt.failure.message)}` : 'ERROR';
      lines.push(indent(1)(element('flakyError', { message: clip(message, 1000), type: attempt.failure?.code ?? 'ERROR' }, `attempt ${attempt.attempt}, artifacts: ${attempt.artifactsDir}`)));
    }
  } else if (run.status === 'skip') {
    const reason = failure ? `${failure.code}: ${failure.message}` : undefined;
    lines.push(indent(1)(element('skipped', { message: reason ? clip(firstLine(reason), 1000) : undefined }, reason)));
  }
  lines.push(indent(1)(element('system-out', {}, runLog(run))));
  lines.push('</testcase>');
  return lines;
}

/** What GitLab shows when the failed test is opened: the verdict, where, what, the evidence, where to look next. */
function failureText(run: RunResult, evidenceLimit: number): string {
  const described = describeFailure(run, evidenceLimit);
  const lines = [`${STATUS_LABEL[run.status]} — ${STATUS_MEANING[run.status]}`, described.where];
  const known = describeKnown(run);
  if (known) lines.push(known, describeKnownEvidence(run)!);
  if (described.headline) lines.push(described.headline);
  if (described.evidence.length) lines.push('evidence:', ...described.evidence.map((l) => `    ${l}`));
  if (described.hint) lines.push(`hint: ${described.hint}`);
  lines.push(`artifacts: ${run.artifactsDir}`);
  return lines.join('\n');
}

/** The run's story step by step, for readers who want more than the failure. */
function runLog(run: RunResult): string {
  const lines = [`${run.id}: ${run.scenario} from ${run.file} on ${run.profile}, started ${run.startedAt}`];
  if (run.kernelRelease) lines.push(`kernel: ${run.kernelRelease}`);
  for (const attempt of run.attempts ?? []) lines.push(`attempt ${attempt.attempt}: ${STATUS_LABEL[attempt.status]}${attempt.failure ? ` ${attempt.failure.code}: ${firstLine(attempt.failure.message)}` : ''}, artifacts ${attempt.artifactsDir}`);
  if (run.flaky) lines.push('flaky: passed only after an earlier attempt ended in ERROR');
  if (run.phases.length) lines.push(`phases: ${run.phases.map((p) => `${p.name} ${formatMs(p.durationMs)}`).join(', ')}`);
  for (const step of run.steps) {
    const line = step.line === undefined ? '' : ` [line ${step.line}]`;
    lines.push(`step ${step.index + 1} ${STATUS_LABEL[step.status]} ${step.title} (${formatMs(step.durationMs)})${line}`);
    for (const assertion of step.assertions) lines.push(`    checked: ${assertion}`);
    if (step.failure) lines.push(`    ${step.failure.code}: ${step.failure.message}`);
  }
  lines.push(`artifacts: ${run.artifactsDir}`);
  return lines.join('\n');
}

function groupByProfile(runs: RunResult[]): Map<string, RunResult[]> {
  const groups = new Map<string, RunResult[]>();
  for (const run of runs) groups.set(run.profile, [...(groups.get(run.profile) ?? []), run]);
  return groups;
}

function seconds(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(3);
}

/** JUnit's schema wants ISO 8601 without a zone; pilot writes UTC so the value means the same on every host. */
function junitTimestamp(iso: string): string | undefined {
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? new Date(ms).toISOString().slice(0, 19) : undefined;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function indent(depth: number): (line: string) => string {
  return (line) => `${'  '.repeat(depth)}${line}`;
}
