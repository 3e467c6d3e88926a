// The result model every reporter reads and results.json holds.
import type { ProfileName } from '../machine/profile.ts';

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
}

export interface RunSummary {
  startedAt: string;
  durationMs: number;
  artifactsDir: string;
  interrupted: boolean;
  runs: RunResult[];
  counts: Record<Status, number>;
}

export function countStatuses(runs: ReadonlyArray<RunResult>): Record<Status, number> {
  const counts: Record<Status, number> = { pass: 0, fail: 0, error: 0, skip: 0 };
  for (const run of runs) counts[run.status]++;
  return counts;
}
