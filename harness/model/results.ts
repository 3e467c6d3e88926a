// The result model every reporter reads and results.json holds.
import type { ProfileName } from './profile.ts';
import type { SocKind } from './soc-kind.ts';

/** pass: all asserted held. fail: the kernel did not do what was asserted. error: infrastructure broke. skip: not run. */
export type Status = 'pass' | 'fail' | 'error' | 'skip';

export interface FailureInfo {
  code: string;
  message: string;
  /** Quoted dmesg lines, serial tail or stderr. */
  evidence: string[];
  hint?: string;
}

export interface PhaseTiming {
  /** e.g. 'qemu-start', 'kernel-boot', 'ssh-ready', 'self-check', 'step 3'. */
  name: string;
  startedAtMs: number;
  durationMs: number;
}

export interface StepResult {
  /** 0-based position of the step in its scenario; reports show index + 1. */
  index: number;
  kind: string;
  title: string;
  /** 1-based line of the step in its scenario file. */
  line: number | undefined;
  status: Status;
  /** Date.now() when the step began; absent for skipped steps and in results written before it existed. */
  startedAtMs?: number;
  durationMs: number;
  assertions: string[];
  failure?: FailureInfo;
  /** kmsg sequence window [from, to) the step saw. */
  dmesgWindow?: { fromSeq: number; toSeq: number };
}

export interface RunResult {
  /** `<scenario>@<profile>`, unique in a run. */
  id: string;
  scenario: string;
  file: string;
  profile: ProfileName;
  status: Status;
  startedAt: string;
  durationMs: number;
  phases: PhaseTiming[];
  /** The scenario's steps in order; steps never reached are listed with status 'skip'. */
  steps: StepResult[];
  /** The first failure that decided the status. */
  failure?: FailureInfo;
  artifactsDir: string;
  kernelRelease?: string;
  /** Which SoC the run had: the kernel's own Qualcomm drivers against the EL3 firmware (real) or the simulation module (sim). */
  soc?: SocKind;
  /** `uname -r` of the base image's kernel the machine booted, before any deploy (6.1 for sim, 6.12 for real). */
  bootedKernelRelease?: string;
  /** Set when a fail/error matched a known-issues entry; `status` stays as it was so nothing is hidden. */
  known?: KnownIssueMatch;
  /** Set when the run pushed a kernel under test: which one, how it was started, and what proved it runs. */
  deploy?: DeployRecord;
  /** Earlier attempts that ended in ERROR and were run again (`--retries`), oldest first; their artifacts are kept. */
  attempts?: AttemptRecord[];
  /** Passed only after an earlier attempt ended in ERROR: the infrastructure is unreliable, not the kernel. */
  flaky?: boolean;
}

export interface AttemptRecord {
  /** 1-based. */
  attempt: number;
  status: Status;
  durationMs: number;
  failure?: { code: string; message: string };
  /** Where that attempt's artifacts were kept, `<run>.attempt-N`. */
  artifactsDir: string;
}

export interface DeployRecord {
  method: string;
  /** Where the kernel came from, e.g. "Debian package linux-image-rt-arm64". */
  kernel: string;
  release: string;
  buildId: string | undefined;
  imageSha256: string;
  /** The release the machine booted before the deploy. */
  previousRelease: string | undefined;
  timings: { prepareMs: number; pushMs: number; loadMs: number; rebootMs: number; proofMs: number; totalMs: number };
  pushedBytes: number;
  /** The initrd the kernel under test booted with, as the target (push) or the host (direct) hashed it. */
  initrdSha256?: string;
}

export interface RunSummary {
  startedAt: string;
  durationMs: number;
  artifactsDir: string;
  interrupted: boolean;
  runs: RunResult[];
  counts: Record<Status, number>;
  /** Set by `pilot run --shard i/n`: which share this is and the whole matrix's run ids in order, for `pilot merge`. */
  shard?: { index: number; total: number; matrix: string[] };
}

export interface KnownIssueMatch {
  link: string;
  /** YYYY-MM-DD, the last day the entry holds. */
  expires: string;
  /** The entry's dmesg regex. */
  pattern: string;
  /** Where the entry is written, file:line:col. */
  source: string;
  reason?: string;
  /** The line the pattern matched, and whether it came from the failure's own text and evidence or the run's dmesg.log. */
  matched: string;
  matchedIn: 'failure' | 'dmesg.log';
  /** The entry is past its expiry date: the failure counts as new again. */
  expired: boolean;
}

export function countStatuses(runs: ReadonlyArray<RunResult>): Record<Status, number> {
  const counts: Record<Status, number> = { pass: 0, fail: 0, error: 0, skip: 0 };
  for (const run of runs) counts[run.status]++;
  return counts;
}
