// A deployer starts a kernel under test and proves it runs: on a running machine (kexec, reboot), or as the machine's
// first kernel (direct: the machine boots the files prepareBoot made).
import type { RunningMachine } from '../machine/machine.ts';
import type { Profile } from '../model/profile.ts';
import type { HostInitrd } from './host-initrd.ts';
import type { AssembledInitrd } from './initrd-assembly.ts';
import type { KernelUnderTest } from '../kernel/input.ts';
import type { KernelProof } from './proof.ts';
import type { PushResult } from './push.ts';
import type { ProgressListener } from './transfer-progress.ts';

export type DeployMethod = 'kexec' | 'reboot' | 'direct';

export interface DeployOptions {
  /** Where the deploy leaves what it built (the initrd) and logs. */
  workDir: string;
  signal: AbortSignal;
  /** Absolute Date.now() deadline for the whole deploy, proof included. */
  deadline: number;
  onPhase?: (phase: string) => void;
  onProgress?: ProgressListener;
  /** A direct deploy: what the machine booted (prepareBoot's files) and how long from QEMU's start to SSH on it. */
  booted?: { boot: PreparedBoot; bootMs: number };
}

/** The files a machine boots the kernel under test from (direct deploy), assembled on the host before it starts. */
export interface PreparedBoot {
  kernelImage: string;
  initrd: HostInitrd;
}

/** Milliseconds of each part of a deploy, for reports and the benchmark. */
export interface DeployTimings {
  prepareMs: number;
  pushMs: number;
  loadMs: number;
  /** From the kernel being started to SSH on it. */
  rebootMs: number;
  proofMs: number;
  totalMs: number;
}

export interface DeployResult {
  method: DeployMethod;
  /** Undefined for a direct deploy: the kernel under test was the machine's first, so there was no boot before. */
  previousBootId: string | undefined;
  proof: KernelProof;
  pushes: PushResult[];
  /** The initrd the target assembled from the pushes (its sha256 as the target hashed it), or the host's for a direct boot. */
  initrd?: AssembledInitrd | HostInitrd;
  timings: DeployTimings;
}

export interface Deployer {
  readonly method: DeployMethod;
  /** Why this deployer cannot work on the profile, or undefined: asked before a run, so it is refused before booting. */
  refusal(profile: Profile): string | undefined;
  /** Present on a deployer that boots the kernel from the machine's first second: the files the machine must start with. */
  prepareBoot?(kernel: KernelUnderTest, options: Pick<DeployOptions, 'workDir' | 'signal'>): Promise<PreparedBoot>;
  deploy(machine: RunningMachine, kernel: KernelUnderTest, options: DeployOptions): Promise<DeployResult>;
}

/** performance.now() as each part of a deploy ended (loaded: the kernel is in place to start, by kexec -l or on disk). */
export interface DeployMarks {
  started: number;
  prepared: number;
  pushed: number;
  loaded: number;
  rebooted: number;
  proved: number;
}

export function deployTimings(marks: DeployMarks): DeployTimings {
  return {
    prepareMs: marks.prepared - marks.started,
    pushMs: marks.pushed - marks.prepared,
    loadMs: marks.loaded - marks.pushed,
    rebootMs: marks.rebooted - marks.loaded,
    proofMs: marks.proved - marks.rebooted,
    totalMs: marks.proved - marks.started,
  };
}
