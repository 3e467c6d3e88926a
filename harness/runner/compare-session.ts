// The one call behind `pilot compare`: the same planned matrix on a baseline and a patched kernel, then what the patch changed.
import { join } from 'node:path';
import type { ProfileName } from '../model/profile.ts';
import type { RunSummary } from '../model/results.ts';
import { compareRuns, type Comparison } from '../report/compare/compare.ts';
import { renderCompareConsole } from '../report/compare/console.ts';
import { writeCompareJson } from '../report/compare/json.ts';
import { writeCompareJunit } from '../report/compare/junit.ts';
import { detectConsoleMode } from '../report/console.ts';
import { createArtifactsRoot } from './artifacts.ts';
import { gatherKnownIssues } from './plan/known-issues.ts';
import { loadPlanSources, type PlanSources } from './plan/load-inputs.ts';
import type { KernelChoice } from './plan/planned-run.ts';
import { planRuns } from './plan/plan-runs.ts';
import { createRunReporter } from './reporters.ts';
import { runMatrix } from './run-matrix.ts';
import type { SessionIo } from './session-io.ts';

/** One side of the comparison; an undefined request boots the image's own kernel. */
export interface CompareSide extends KernelChoice {
  label: 'baseline' | 'patched';
}

/** What `pilot compare` asks for, its flags already checked. */
export interface CompareRequest extends PlanSources {
  sides: readonly [CompareSide, CompareSide];
  profiles: ProfileName[];
  jobs: number;
  timeoutMs: number | undefined;
  knownIssuesFile: string | undefined;
  artifactsBase: string | undefined;
  /** Compare reports; by default compare.json and compare-junit.xml in the artifacts folder. */
  jsonFile: string | undefined;
  junitFile: string | undefined;
}

/** The comparison, or undefined when the session was interrupted before both sides ran. */
export async function compareSession(request: CompareRequest, io: SessionIo): Promise<Comparison | undefined> {
  const { scenarios, board } = await loadPlanSources(request);
  const knownIssues = await gatherKnownIssues(scenarios, request.knownIssuesFile, io.note);
  const interrupts = io.trapInterrupts();
  try {
    const signal = interrupts.signal;
    const plans = await planRuns({
      ...request,
      scenarios,
      board,
      knownIssues,
      kernels: request.sides,
      signal,
      onImageProgress: io.onImageProgress,
      note: io.note,
    });

    const root = await createArtifactsRoot({ base: request.artifactsBase });
    const summaries: RunSummary[] = [];
    for (const plan of plans) {
      const { label, request: kernel } = plan.kernel;
      io.print(`\n== ${label}: ${kernel ? kernel.origin.replace(/^--\w+ /, '') : 'the image\'s own kernel'} ==\n`);
      const artifactsDir = await createArtifactsRoot({ exact: join(root, label) });
      const reporter = await createRunReporter(plan);
      const summary = await runMatrix({ plan, artifactsDir, reporter, signal, timeoutMs: request.timeoutMs });
      summaries.push(summary);
      if (summary.interrupted) return undefined;
    }

    const comparison = compareRuns(summaries[0]!, summaries[1]!);
    const jsonPath = request.jsonFile ?? join(root, 'compare.json');
    const junitPath = request.junitFile ?? join(root, 'compare-junit.xml');
    await writeCompareJson(comparison, jsonPath);
    await writeCompareJunit(comparison, junitPath);
    io.print('\n' + renderCompareConsole(comparison, { color: detectConsoleMode(process.stdout).color }) + '\n');
    io.print(`\nCompare report: ${jsonPath}, ${junitPath}\nArtifacts: ${root}\n`);
    return comparison;
  } finally {
    interrupts.dispose();
  }
}
