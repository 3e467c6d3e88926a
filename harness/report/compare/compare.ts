// Baseline vs patched: pairs the runs of two RunSummaries by id and says, per scenario@profile, what the patch changed.
import { InputError } from '../../core/errors.ts';
import { PROFILE_NAMES, type ProfileName } from '../../model/profile.ts';
import { decidingFailure, describeFailure } from '../describe.ts';
import type { RunResult, RunSummary, Status } from '../../model/results.ts';

/**
 * regressed: passed on the baseline, fails with the patch. fixed: the reverse. still-failing / unchanged: fails / passes on both.
 * inconclusive: an ERROR on either side, so nothing is known about the kernel. skipped: not run on a side (and no error).
 * new / gone: a run found only in the patched / only in the baseline results.
 */
export type Verdict = 'regressed' | 'fixed' | 'still-failing' | 'unchanged' | 'inconclusive' | 'skipped' | 'new' | 'gone';

/** Display and report order: what needs the author's attention first. */
export const VERDICT_ORDER: readonly Verdict[] = ['regressed', 'inconclusive', 'still-failing', 'fixed', 'new', 'gone', 'skipped', 'unchanged'];

/** One clause per verdict, shared so the console and JUnit explain a verdict in the same words. */
export const VERDICT_MEANING: Readonly<Record<Verdict, string>> = {
  regressed: 'passed on the baseline, fails with the patch',
  inconclusive: 'an ERROR on a side: the machine or harness broke, so nothing is known about the patch here',
  'still-failing': 'fails on both kernels',
  fixed: 'failed on the baseline, passes with the patch',
  new: 'only in the patched results',
  gone: 'only in the baseline results',
  skipped: 'not run on a side',
  unchanged: 'passes on both kernels',
};

export type Side = 'baseline' | 'patched' | 'both';

/** The part of a failure a patch author needs to tell two failures apart, without the whole run record. */
export interface FailureSnapshot {
  code: string;
  message: string;
  /** `at step 3 "…" (file:line)` or `before any step; …`, as the run report says it. */
  where: string;
  /** 0-based index of the deciding step; undefined when the failure happened outside the steps. */
  stepIndex: number | undefined;
  stepTitle: string | undefined;
  evidence: string[];
  hint: string | undefined;
}

export interface SideOutcome {
  status: Status;
  durationMs: number;
  artifactsDir: string;
  kernelRelease: string | undefined;
  /** The kernel told apart from another of the same release: where it came from and its build-id. */
  kernel: string | undefined;
  failure: FailureSnapshot | undefined;
}

export interface ComparedRun {
  /** `<scenario>@<profile>`. */
  id: string;
  scenario: string;
  profile: ProfileName;
  file: string;
  verdict: Verdict;
  /** Undefined only for a `new` run. */
  baseline: SideOutcome | undefined;
  /** Undefined only for a `gone` run. */
  patched: SideOutcome | undefined;
  /** For inconclusive: the side(s) that hit an ERROR; for skipped: the side(s) not run. */
  side: Side | undefined;
  /** For still-failing: true when the deciding step or failure code differs between the two sides. */
  failureChanged: boolean | undefined;
}

export interface ComparedSummary {
  startedAt: string;
  durationMs: number;
  artifactsDir: string;
  interrupted: boolean;
  /** Distinct `uname -r` values the runs reported, in order of first appearance. */
  kernelReleases: string[];
  /** Distinct kernels the runs used, each as `release (source, build-id …)`: two trees of one release read apart. */
  kernels: string[];
  counts: Record<Status, number>;
}

export interface Comparison {
  baseline: ComparedSummary;
  patched: ComparedSummary;
  /** In VERDICT_ORDER, then by scenario, then by profile in PROFILES order. */
  runs: ComparedRun[];
  counts: Record<Verdict, number>;
}

export function compareRuns(baseline: RunSummary, patched: RunSummary): Comparison {
  const before = indexById(baseline, 'baseline');
  const after = indexById(patched, 'patched');
  const ids = new Set([...before.keys(), ...after.keys()]);
  const runs = [...ids].map((id) => compareRun(before.get(id), after.get(id)));
  runs.sort(byDisplayOrder);
  const counts = Object.fromEntries(VERDICT_ORDER.map((v) => [v, 0])) as Record<Verdict, number>;
  for (const run of runs) counts[run.verdict]++;
  return { baseline: summarise(baseline), patched: summarise(patched), runs, counts };
}

/** Pairs that carry a verdict on the kernel: both sides ran to a PASS or a FAIL. */
export function comparedCount(comparison: Comparison): number {
  const { regressed, fixed, unchanged } = comparison.counts;
  return regressed + fixed + unchanged + comparison.counts['still-failing'];
}

function compareRun(before: RunResult | undefined, after: RunResult | undefined): ComparedRun {
  const any = (after ?? before)!;
  const base = { id: any.id, scenario: any.scenario, profile: any.profile, file: any.file };
  const baseline = before && outcome(before);
  const patched = after && outcome(after);
  const verdict = decideVerdict(before?.status, after?.status);
  const side = verdict === 'inconclusive' ? sideWith('error', before, after) : verdict === 'skipped' ? sideWith('skip', before, after) : undefined;
  const failureChanged = verdict === 'still-failing' ? !sameFailure(baseline!.failure, patched!.failure) : undefined;
  return { ...base, verdict, baseline, patched, side, failureChanged };
}

function decideVerdict(before: Status | undefined, after: Status | undefined): Verdict {
  if (before === undefined) return 'new';
  if (after === undefined) return 'gone';
  // An ERROR outweighs everything: a broken machine on either side leaves the kernel's behaviour unknown.
  if (before === 'error' || after === 'error') return 'inconclusive';
  if (before === 'skip' || after === 'skip') return 'skipped';
  if (before === 'pass') return after === 'pass' ? 'unchanged' : 'regressed';
  return after === 'pass' ? 'fixed' : 'still-failing';
}

function sideWith(status: Status, before: RunResult | undefined, after: RunResult | undefined): Side {
  const inBaseline = before?.status === status;
  const inPatched = after?.status === status;
  return inBaseline && inPatched ? 'both' : inBaseline ? 'baseline' : 'patched';
}

/** Same step and same code is the same failure; messages carry timestamps and counts that differ from run to run. */
function sameFailure(a: FailureSnapshot | undefined, b: FailureSnapshot | undefined): boolean {
  return a?.stepIndex === b?.stepIndex && a?.code === b?.code;
}

function outcome(run: RunResult): SideOutcome {
  return {
    status: run.status,
    durationMs: run.durationMs,
    artifactsDir: run.artifactsDir,
    kernelRelease: run.kernelRelease,
    kernel: kernelIdentity(run),
    failure: run.status === 'pass' ? undefined : snapshot(run),
  };
}

function snapshot(run: RunResult): FailureSnapshot | undefined {
  const { step, failure } = decidingFailure(run);
  if (!failure) return undefined;
  const described = describeFailure(run, Number.POSITIVE_INFINITY);
  return {
    code: failure.code,
    message: failure.message,
    where: described.where,
    stepIndex: step?.index,
    stepTitle: step?.title,
    evidence: described.evidence,
    hint: failure.hint,
  };
}

/** `6.1.192 (build tree /src/linux, build-id 4f0c2d1e9a7b)`; the image's own kernel reads `6.1.0-56-arm64 (the image's kernel)`. */
export function kernelIdentity(run: RunResult): string | undefined {
  const deploy = run.deploy;
  if (!deploy) return run.kernelRelease === undefined ? undefined : `${run.kernelRelease} (the image's kernel)`;
  const buildId = deploy.buildId ? `, build-id ${deploy.buildId.slice(0, 12)}` : `, sha256 ${deploy.imageSha256.slice(0, 12)}`;
  return `${deploy.release} (${deploy.kernel}${buildId})`;
}

function summarise(summary: RunSummary): ComparedSummary {
  const releases = summary.runs.map((r) => r.kernelRelease).filter((r): r is string => r !== undefined);
  return {
    startedAt: summary.startedAt,
    durationMs: summary.durationMs,
    artifactsDir: summary.artifactsDir,
    interrupted: summary.interrupted,
    kernelReleases: [...new Set(releases)],
    kernels: [...new Set(summary.runs.map(kernelIdentity).filter((kernel): kernel is string => kernel !== undefined))],
    counts: summary.counts,
  };
}

function indexById(summary: RunSummary, side: 'baseline' | 'patched'): Map<string, RunResult> {
  const byId = new Map<string, RunResult>();
  for (const run of summary.runs) {
    // Two results for one id would make the verdict depend on which one is picked.
    if (byId.has(run.id)) throw new InputError('E_COMPARE_DUPLICATE_RUN', `the ${side} results hold ${run.id} twice (${summary.artifactsDir})`);
    byId.set(run.id, run);
  }
  return byId;
}

function byDisplayOrder(a: ComparedRun, b: ComparedRun): number {
  return (
    VERDICT_ORDER.indexOf(a.verdict) - VERDICT_ORDER.indexOf(b.verdict) ||
    // Among the still failing, a failure that changed is news; the same old failure is not.
    Number(b.failureChanged === true) - Number(a.failureChanged === true) ||
    compareText(a.scenario, b.scenario) ||
    profileRank(a.profile) - profileRank(b.profile)
  );
}

/** Code-point order, so the report reads the same whatever the host's locale. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function profileRank(profile: string): number {
  const rank = PROFILE_NAMES.indexOf(profile as ProfileName);
  return rank === -1 ? PROFILE_NAMES.length : rank;
}
