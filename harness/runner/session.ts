// The one call behind `pilot run`: load and check, trap interrupts, plan (building images with progress), run, report.
import type { RunSummary } from '../model/results.ts';
import type { ProfileName } from '../model/profile.ts';
import { resolve } from 'node:path';
import { createArtifactsRoot, DEFAULT_ARTIFACTS_BASE } from './artifacts.ts';
import { gdbCommandLine, runGdbSymbols } from './gdb-command.ts';
import type { RunPlan } from './plan/planned-run.ts';
import { KeptMachines } from './kept-machines.ts';
import type { KernelRequest } from './kernel-plan.ts';
import { gatherKnownIssues } from './plan/known-issues.ts';
import { loadPlanSources, type PlanSources } from './plan/load-inputs.ts';
import { planRuns } from './plan/plan-runs.ts';
import { createRunReporter } from './reporters.ts';
import { localTime, runMatrix } from './run-matrix.ts';
import type { SessionIo } from './session-io.ts';
import { loadDurations, type ShardSpec } from './shard.ts';

/** What `pilot run` asks for, its flags already checked. */
export interface RunRequest extends PlanSources {
  profiles: ProfileName[];
  jobs: number;
  timeoutMs: number | undefined;
  /** --kernel: replaces every scenario's own kernel. */
  kernel: KernelRequest | undefined;
  shard: ShardSpec | undefined;
  /** An earlier results.json (or its folder) whose durations balance the shards. */
  durationsFile: string | undefined;
  knownIssuesFile: string | undefined;
  /** Base folder of the artifacts; a timestamped folder is made inside. */
  artifactsBase: string | undefined;
  kcidbFile: string | undefined;
  /** How often a run that ended in ERROR is run again. */
  retries?: number;
  /** --keep-failed: keep the machines of runs that FAILed or ERRORed up this long (at most), then end them. */
  keepFailed?: { forMs: number } | undefined;
  /** --gdb: a gdbstub on every QEMU machine, its gdb command printed when it listens. */
  gdb?: boolean;
}

export async function runSession(request: RunRequest, io: SessionIo): Promise<RunSummary> {
  const { scenarios, board } = await loadPlanSources(request);
  const durations = request.durationsFile === undefined ? undefined : await loadDurations(request.durationsFile);
  const knownIssues = await gatherKnownIssues(scenarios, request.knownIssuesFile, io.note);
  const interrupts = io.trapInterrupts();
  let keeper: KeptMachines | undefined;
  try {
    const [plan] = await planRuns({
      ...request,
      scenarios,
      board,
      durations,
      knownIssues,
      kernels: [{ request: request.kernel }],
      signal: interrupts.signal,
      onImageProgress: io.onImageProgress,
      note: io.note,
    });
    const artifactsDir = await createArtifactsRoot({ base: request.artifactsBase });
    const reporter = await createRunReporter(plan!, { kcidbFile: request.kcidbFile });
    if (request.keepFailed) keeper = new KeptMachines({ forMs: request.keepFailed.forMs, shellArguments: shellArguments(request.artifactsBase) });
    const summary = await runMatrix({
      plan: plan!,
      artifactsDir,
      reporter,
      signal: interrupts.signal,
      timeoutMs: request.timeoutMs,
      retries: request.retries ?? 0,
      keeper,
      gdb: request.gdb ?? false,
    });
    if (keeper) await holdKeptMachines(keeper, plan!, summary, interrupts.signal, io);
    return summary;
  } finally {
    // Ctrl-C, the time limit or an error: every kept machine ends here, while a second Ctrl-C can still force it.
    await keeper?.release(interrupts.signal.aborted ? String((interrupts.signal.reason as Error | undefined)?.message ?? 'interrupted') : 'pilot ended');
    interrupts.dispose();
  }
}

/** `pilot shell` finds runs under ./artifacts by default; any other base must be named to it. */
function shellArguments(artifactsBase: string | undefined): string[] {
  if (artifactsBase === undefined || resolve(artifactsBase) === resolve(DEFAULT_ARTIFACTS_BASE)) return [];
  return ['--artifacts', resolve(artifactsBase)];
}

/** After the summary: how to get into each kept machine, then wait for Ctrl-C, the time limit, or every machine's end. */
async function holdKeptMachines(keeper: KeptMachines, plan: RunPlan, summary: RunSummary, signal: AbortSignal, io: SessionIo): Promise<void> {
  if (keeper.live === 0 || signal.aborted) return;
  const lines = ['', `Kept for debugging (${keeper.live}):`];
  for (const run of summary.runs) {
    const record = keeper.recordFor(run.id);
    if (!record || record.ended) continue;
    lines.push(`  ${run.id}  ${run.status.toUpperCase()}  pid ${record.pid}, until ${localTime(record.until)}`);
    lines.push(...keeper.accessLines(record).map((line) => `    ${line}`));
    const planned = plan.runs.find((candidate) => candidate.id === run.id);
    if (record.gdbPort !== undefined && planned) lines.push(`    ${gdbCommandLine(record.gdbPort, (await runGdbSymbols(plan, planned)).vmlinux)}`);
  }
  io.print(lines.join('\n') + '\n');
  io.note('pilot: waiting; Ctrl-C (or SIGTERM, or the end of the process that started pilot) ends the kept machines');
  await keeper.hold(signal);
}
