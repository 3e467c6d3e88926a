// A pilot RunSummary as a KCIDB I/O v5.3 document: one checkout and one build for the kernel under test, a test per
// run (path pilot.<scenario>) and a sub-test per step (pilot.<scenario>.sNN-<kind>). The profile is the test's
// environment, not part of its path: KCIDB compares the same path across environments, which is the point of profiles.
import { relative, sep } from 'node:path';
import { InputError } from '../../core/errors.ts';
import { PROFILES } from '../../model/profile.ts';
import type { FailureInfo, RunResult, RunSummary, StepResult } from '../../model/results.ts';
import { SERIAL_LOG, stepDmesgPath } from '../../model/artifact-names.ts';
import type { KcidbKernel } from './kernel.ts';
import { kcidbRunStatus, kcidbStepStatus, type KcidbStatus } from './status.ts';

export const KCIDB_VERSION = { major: 5, minor: 3 } as const;
/** The schema's origin pattern. */
export const KCIDB_ORIGIN_PATTERN = /^[a-z0-9_]+$/;
/** KCIDB test path components. */
const PATH_COMPONENT = /^[a-zA-Z0-9_-]+$/;
/** log_excerpt's maxLength in the schema. */
const EXCERPT_MAX = 16384;

export interface KcidbOptions {
  /** The CI system's name in KCIDB; default 'pilot'. */
  origin?: string;
  kernel: KcidbKernel;
  /** Where the artifacts folder is published (http(s)); log_url fields point into it. Without it there are none: KCIDB wants downloadable URLs. */
  artifactsUrl?: string;
  /** Made part of every test id; default: the run's start time, e.g. 20261121T123239415Z. */
  runKey?: string;
  /** Where the tests ran, for environment.comment; default 'QEMU'. */
  platform?: string;
}

export interface KcidbCheckout {
  id: string;
  origin: string;
  [field: string]: unknown;
}
export interface KcidbBuild {
  id: string;
  checkout_id: string;
  origin: string;
  status?: KcidbStatus;
  [field: string]: unknown;
}
export interface KcidbTest {
  id: string;
  build_id: string;
  origin: string;
  path: string;
  status: KcidbStatus;
  [field: string]: unknown;
}
export interface KcidbDocument {
  version: { major: number; minor: number };
  checkouts: KcidbCheckout[];
  builds: KcidbBuild[];
  tests: KcidbTest[];
}

export function toKcidb(summary: RunSummary, options: KcidbOptions): KcidbDocument {
  const origin = options.origin ?? 'pilot';
  checkOptions(origin, options);
  const { kernel } = options;
  const kernelKey = kernel.imageSha256 ?? kernel.git?.commit ?? slug(`${kernel.release}-${kernel.version ?? 'unknown'}`);
  const checkoutId = `${origin}:checkout-${kernel.git?.commit ?? kernelKey}`;
  const buildId = `${origin}:build-${kernelKey}`;
  const runKey = options.runKey ?? compactTime(summary.startedAt);
  const platform = options.platform ?? 'QEMU';

  const checkout: KcidbCheckout = {
    id: checkoutId,
    origin,
    comment: `Linux ${kernel.release}${kernel.version ? ` (${kernel.version})` : ''}`,
    valid: true,
    ...(kernel.git?.treeName ? { tree_name: kernel.git.treeName } : {}),
    ...(kernel.git?.repositoryUrl ? { git_repository_url: kernel.git.repositoryUrl } : {}),
    ...(kernel.git?.commit ? { git_commit_hash: kernel.git.commit } : {}),
    ...(kernel.git?.branch ? { git_repository_branch: kernel.git.branch } : {}),
  };
  const build: KcidbBuild = {
    id: buildId,
    checkout_id: checkoutId,
    origin,
    architecture: kernel.architecture ?? 'arm64',
    ...(kernel.configName ? { config_name: kernel.configName } : {}),
    comment: `Linux ${kernel.release}`,
    // pilot reports only kernels it holds a bootable image of, so the build produced its output.
    status: 'PASS',
    misc: {
      release: kernel.release,
      ...(kernel.version ? { version: kernel.version } : {}),
      ...(kernel.imageSha256 ? { image_sha256: kernel.imageSha256 } : {}),
      ...(kernel.buildId ? { build_id: kernel.buildId } : {}),
      built_by: 'not pilot: a prebuilt kernel under test',
    },
  };

  const tests: KcidbTest[] = [];
  for (const run of summary.runs) {
    const runId = `${origin}:${runKey}-${run.id}`;
    const base = `pilot.${pathComponent(run.scenario)}`;
    const environment = environmentOf(run, platform);
    tests.push({
      id: runId,
      build_id: buildId,
      origin,
      path: base,
      status: kcidbRunStatus(run),
      comment: `${run.scenario} on ${run.profile}`,
      environment,
      start_time: run.startedAt,
      duration: seconds(run.durationMs),
      ...logUrl(options.artifactsUrl, summary.artifactsDir, run.artifactsDir, run.status === 'skip' ? undefined : SERIAL_LOG),
      ...excerpt(run.failure),
      misc: {
        pilot_run: run.id,
        pilot_status: run.status,
        scenario_file: run.file,
        artifacts_dir: run.artifactsDir,
        ...(run.kernelRelease ? { kernel_release: run.kernelRelease } : {}),
        ...(run.failure ? { failure_code: run.failure.code } : {}),
        ...(summary.interrupted ? { interrupted: true } : {}),
        ...(run.attempts?.length ? { attempts: run.attempts.length + 1, earlier_failure_codes: run.attempts.map((attempt) => attempt.failure?.code ?? 'ERROR') } : {}),
        ...(run.flaky ? { flaky: true } : {}),
      },
    });
    for (const step of run.steps) {
      tests.push({
        id: `${runId}-s${stepNumber(step)}`,
        build_id: buildId,
        origin,
        path: `${base}.${stepComponent(step)}`,
        status: kcidbStepStatus(step, run),
        comment: step.title,
        environment,
        ...(step.status === 'skip' ? {} : { duration: seconds(step.durationMs) }),
        ...logUrl(options.artifactsUrl, summary.artifactsDir, run.artifactsDir, step.status === 'skip' ? undefined : stepDmesgPath(step.index, step.kind)),
        ...excerpt(step.failure),
        misc: {
          pilot_status: step.status,
          kind: step.kind,
          ...(step.line === undefined ? {} : { line: step.line }),
          ...(step.assertions.length ? { assertions: step.assertions } : {}),
          ...(step.failure ? { failure_code: step.failure.code } : {}),
        },
      });
    }
  }
  return { version: { ...KCIDB_VERSION }, checkouts: [checkout], builds: [build], tests };
}

/** sNN-<kind>: stable while steps keep their order, unlike titles, which change with a step's arguments. */
export function stepComponent(step: Pick<StepResult, 'index' | 'kind'>): string {
  return `s${stepNumber(step)}-${pathComponent(step.kind)}`;
}

function stepNumber(step: Pick<StepResult, 'index'>): string {
  return String(step.index + 1).padStart(2, '0');
}

function environmentOf(run: RunResult, platform: string): Record<string, unknown> {
  const profile = PROFILES[run.profile];
  return {
    comment: `${platform}, pilot profile ${run.profile}${profile ? `: ${profile.standsFor}` : ''}`,
    misc: { platform, profile: run.profile, ...(profile ? { el: profile.el, hypervisor: profile.hypervisor ?? 'none', smmu: profile.smmu } : {}) },
  };
}

function logUrl(baseUrl: string | undefined, root: string, runDir: string, file: string | undefined): { log_url?: string } {
  if (baseUrl === undefined || file === undefined) return {};
  const inside = relative(root, runDir).split(sep).filter(Boolean);
  const segments = [...inside, ...file.split('/')].map(encodeURIComponent);
  return { log_url: `${baseUrl.replace(/\/+$/, '')}/${segments.join('/')}` };
}

function excerpt(failure: FailureInfo | undefined): { log_excerpt?: string } {
  if (!failure) return {};
  const text = [`${failure.code}: ${failure.message}`, ...failure.evidence, ...(failure.hint ? [`hint: ${failure.hint}`] : [])].join('\n').replaceAll('\0', '');
  return { log_excerpt: text.length <= EXCERPT_MAX ? text : `${text.slice(0, EXCERPT_MAX - 1)}…` };
}

function checkOptions(origin: string, options: KcidbOptions): void {
  if (!KCIDB_ORIGIN_PATTERN.test(origin)) {
    throw new InputError('E_KCIDB_ORIGIN', `KCIDB origin '${origin}' must be lowercase letters, digits and '_'`);
  }
  const git = options.kernel.git;
  if (git?.commit !== undefined && !/^[0-9a-f]{40}$/.test(git.commit)) {
    throw new InputError('E_KCIDB_GIT', `git commit '${git.commit}' must be a full 40-digit lowercase hex hash for KCIDB`);
  }
  if (git?.repositoryUrl !== undefined && !/^https:\/\/\S+$/.test(git.repositoryUrl)) {
    throw new InputError('E_KCIDB_GIT', `git repository URL '${git.repositoryUrl}' must be an https:// URL for KCIDB`);
  }
  if (options.artifactsUrl !== undefined && !/^[a-z][a-z0-9+.-]*:\/\/\S+$/i.test(options.artifactsUrl)) {
    throw new InputError('E_KCIDB_URL', `artifacts URL '${options.artifactsUrl}' must be an absolute URL like https://ci.example/artifacts`);
  }
}

/** A scenario or kind name as a KCIDB path component (they are [a-z0-9-] already; anything else becomes '_'). */
function pathComponent(name: string): string {
  return PATH_COMPONENT.test(name) ? name : name.replace(/[^a-zA-Z0-9_-]/g, '_') || '_';
}

function slug(text: string): string {
  return text.replace(/[^a-zA-Z0-9._-]+/g, '_');
}

function compactTime(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? new Date(ms).toISOString().replace(/[-:.]/g, '') : slug(iso);
}

function seconds(ms: number): number {
  return Math.max(0, ms) / 1000;
}
