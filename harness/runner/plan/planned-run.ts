// What the planner hands the runner: every run with the machine it boots on, the kernel it deploys, and what it is judged against.
import type { KnownIssue } from '../../config/known-issue-schema.ts';
import type { ImageSet } from '../../images/image-set.ts';
import type { BoardConfig } from '../../machine/board/board-file.ts';
import type { RunSummary } from '../../model/results.ts';
import type { MatrixRun } from '../../scenario/matrix.ts';
import type { RunDeploy } from '../deploy-stage.ts';
import type { KernelRequest } from '../kernel-plan.ts';

/** Where a run boots: a QEMU machine pilot starts, or a lab board reached over SSH. */
export type Backend = { kind: 'qemu' } | { kind: 'board'; board: BoardConfig };

/** A matrix run once its machine is chosen; what `selectRuns` yields before anything is built. */
export interface SelectedRun extends MatrixRun {
  backend: Backend;
}

export interface PlannedRun extends SelectedRun {
  /** The kernel pushed after boot and how it is started; undefined when the run keeps the image's kernel. */
  deploy: RunDeploy | undefined;
}

/** One kernel the matrix runs on: a plain run has one, `pilot compare` a baseline and a patched one. */
export interface KernelChoice {
  /** Names the kernel in progress lines: 'baseline', 'patched'; undefined for `pilot run`. */
  label?: string;
  /** `--kernel` (or a side of compare); undefined leaves each scenario's own `kernel:` key, if any. */
  request: KernelRequest | undefined;
  /** Every run keeps the image's kernel, even where a scenario names one (compare's 'image' side pushes nothing). */
  imageKernelOnly?: boolean;
  /** Defines of a simulated-SoC module fault variant (compare's --*-sim). */
  simModuleDefines?: readonly string[];
}

/** Everything the runner needs for one kernel's matrix. */
export interface RunPlan<K extends KernelChoice = KernelChoice> {
  kernel: K;
  images: ImageSet;
  runs: PlannedRun[];
  /** Runs in parallel: 1 as soon as a board is in play, since a board is one physical machine. */
  jobs: number;
  /** Failures these describe are reported KNOWN instead of failing the run. */
  knownIssues: KnownIssue[];
  /** Which share of the whole matrix this is, for `pilot merge`. */
  shard: RunSummary['shard'];
}
