// Reporters observe a run through optional hooks; the multiplexer calls them all and survives one that throws.
import type { RunResult, RunSummary, StepResult } from '../model/results.ts';

export interface PlannedRun {
  id: string;
  scenario: string;
  file: string;
  profile: string;
  stepTitles: string[];
}

export interface Reporter {
  /** Names the reporter in error messages; defaults to its class name. */
  readonly name?: string;
  onBegin?(plan: { runs: PlannedRun[]; artifactsDir: string; jobs: number }): void | Promise<void>;
  onRunBegin?(run: PlannedRun): void;
  /** A machine or harness phase began: 'qemu-start', 'kernel-boot', 'ssh-ready', 'self-check'. */
  onPhase?(run: PlannedRun, phase: string): void;
  /** Progress inside a long phase (a kernel push): `detail` like "12.3 MB/33.0 MB 8.1 MB/s"; `done` on its last event. */
  onProgress?(run: PlannedRun, phase: string, detail: string, done: boolean): void;
  /** `index` is 0-based, as in StepResult. */
  onStepBegin?(run: PlannedRun, index: number, title: string): void;
  onStepEnd?(run: PlannedRun, step: StepResult): void;
  /** Serial console output of the run's machine. */
  onConsole?(run: PlannedRun, chunk: string): void;
  onRunEnd?(run: PlannedRun, result: RunResult): void;
  /** Lines for the person at the terminal about a run's machine: its gdbstub, or how to get into it when it is kept. */
  onNotice?(run: PlannedRun, lines: string[]): void;
  onEnd?(summary: RunSummary): void | Promise<void>;
}
