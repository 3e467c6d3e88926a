// The deploy stage of a run: push the kernel under test, start it, prove it, and record each part as a phase. A direct
// deploy splits in two: its files are prepared before the machine starts on them, and the stage after boot is the proof.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Deployer, PreparedBoot } from '../deploy/deploy.ts';
import type { KernelUnderTest } from '../kernel/input.ts';
import { kernelSpecLabel } from '../kernel/spec-label.ts';
import type { KernelSpec } from '../model/kernel-spec.ts';
import { formatProgress, type TransferProgress } from '../deploy/transfer-progress.ts';
import { formatMs } from '../core/wait.ts';
import type { RunningMachine } from '../machine/machine.ts';
import type { PlannedRun, Reporter } from '../report/reporter.ts';
import type { DeployRecord, PhaseTiming } from '../model/results.ts';
import { DEPLOY_DIR, DEPLOY_JSON } from '../model/artifact-names.ts';

export interface RunDeploy {
  kernel: KernelUnderTest;
  spec: KernelSpec;
  deployer: Deployer;
}

export interface DeployStageInput {
  planned: PlannedRun;
  machine: RunningMachine;
  deploy: RunDeploy;
  artifactsDir: string;
  reporter: Required<Reporter>;
  signal: AbortSignal;
  deadline: number;
  /** Receives each phase as it ends, so a deploy that fails midway still shows how far it got. */
  phases: PhaseTiming[];
  /** A direct deploy: the files the machine booted, and how long it took from its start to SSH. */
  booted?: { boot: PreparedBoot; bootMs: number } | undefined;
}

export interface DeployStageResult {
  record: DeployRecord;
  /** What the proof's profile self-check read on the kernel under test. */
  profileCheck: string[];
}

/** Before the machine starts: a direct deploy's host-side work, the initrd the machine then boots. Undefined for a push. */
export async function prepareBootStage(input: Pick<DeployStageInput, 'planned' | 'deploy' | 'artifactsDir' | 'reporter' | 'signal' | 'phases'>): Promise<PreparedBoot | undefined> {
  const { deployer, kernel } = input.deploy;
  if (!deployer.prepareBoot) return undefined;
  const workDir = join(input.artifactsDir, DEPLOY_DIR);
  await mkdir(workDir, { recursive: true });
  const phase: PhaseTiming = { name: 'prepare-kernel', startedAtMs: Date.now(), durationMs: 0 };
  input.reporter.onPhase(input.planned, phase.name);
  input.phases.push(phase);
  try {
    return await deployer.prepareBoot(kernel, { workDir, signal: input.signal });
  } finally {
    phase.durationMs = Date.now() - phase.startedAtMs;
  }
}

/** Deployer phases as the report names them: the push and the proof apart, everything that starts the kernel as one. */
function reportedPhase(deployerPhase: string): string {
  if (deployerPhase === 'push' || deployerPhase === 'proof') return deployerPhase;
  if (deployerPhase === 'prepare') return 'prepare-kernel';
  return 'deploy';
}

/** "31.6 MB in 3.1 s (10.2 MB/s), attempt 2" for the line a CI log keeps. */
function formatPushed(progress: TransferProgress): string {
  const retry = progress.attempt > 1 ? `, attempt ${progress.attempt}` : '';
  return `${(progress.sentBytes / 1e6).toFixed(1)} MB in ${formatMs(progress.elapsedMs)} (${(progress.bytesPerSecond / 1e6).toFixed(1)} MB/s${retry})`;
}

export async function runDeployStage(input: DeployStageInput): Promise<DeployStageResult> {
  const { planned, machine, deploy, reporter, phases } = input;
  // A direct boot's machine never ran another kernel.
  const previousRelease = input.booted ? undefined : machine.release;
  const workDir = join(input.artifactsDir, DEPLOY_DIR);
  await mkdir(workDir, { recursive: true });
  let open: PhaseTiming | undefined;
  const close = () => {
    if (open) open.durationMs = Date.now() - open.startedAtMs;
    open = undefined;
  };
  const begin = (deployerPhase: string) => {
    const name = reportedPhase(deployerPhase);
    reporter.onPhase(planned, deployerPhase === name ? name : `${name} (${deployerPhase})`);
    if (open?.name === name) return;
    close();
    open = { name, startedAtMs: Date.now(), durationMs: 0 };
    phases.push(open);
  };
  try {
    const result = await deploy.deployer.deploy(machine, deploy.kernel, {
      workDir,
      signal: input.signal,
      deadline: input.deadline,
      onPhase: begin,
      onProgress: (progress) => reporter.onProgress(planned, 'push', progress.done ? formatPushed(progress) : formatProgress(progress), progress.done),
      ...(input.booted ? { booted: input.booted } : {}),
    });
    close();
    const record: DeployRecord = {
      method: result.method,
      kernel: kernelSpecLabel(deploy.spec),
      release: result.proof.release,
      buildId: result.proof.buildId,
      imageSha256: deploy.kernel.imageSha256,
      previousRelease,
      timings: result.timings,
      pushedBytes: result.pushes.reduce((sum, push) => sum + push.bytes, 0),
      ...(result.initrd ? { initrdSha256: result.initrd.sha256 } : {}),
    };
    const previousBoot =
      result.previousBootId === undefined
        ? { previousBootId: null, previousBootNote: 'none: the machine booted the kernel under test directly, so there was no boot before it' }
        : { previousBootId: result.previousBootId };
    await writeFile(join(workDir, DEPLOY_JSON), JSON.stringify({ ...record, ...previousBoot, proof: result.proof, pushes: result.pushes, initrd: result.initrd }, null, 2) + '\n');
    return { record, profileCheck: result.proof.profileCheck };
  } finally {
    close();
  }
}
