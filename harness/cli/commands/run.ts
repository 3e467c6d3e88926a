// `pilot run <files or dirs>`: load and check every scenario first, build images, then run the matrix in parallel and report.
import { availableParallelism } from 'node:os';
import { InputError } from '../../core/errors.ts';
import { buildImages } from '../../images/build.ts';
import type { ImageSet } from '../../images/image-set.ts';
import { QemuMachine } from '../../machine/qemu-machine.ts';
import { PROFILE_NAMES, PROFILES, isProfileName } from '../../machine/profile.ts';
import { createConsoleReporter } from '../../report/console.ts';
import { createJsonReporter } from '../../report/json.ts';
import { createJunitReporter } from '../../report/junit.ts';
import { createReporterMux } from '../../report/multiplexer.ts';
import type { PlannedRun } from '../../report/reporter.ts';
import { countStatuses, type RunResult, type RunSummary } from '../../report/results.ts';
import { loadScenarios } from '../../scenario/load.ts';
import { assertOverlaysKnown } from '../../scenario/check-overlays.ts';
import { listOverlays } from '../../images/devicetree/overlays.ts';
import { expandMatrix, type MatrixRun } from '../../scenario/matrix.ts';
import { createArtifactsRoot } from '../../runner/artifacts.ts';
import { runPool } from '../../runner/pool.ts';
import { runScenario } from '../../runner/run-scenario.ts';
import { durationFlag, listFlag, parseFlags, positiveInteger } from '../args.ts';
import { EXIT } from '../exit-codes.ts';
import { trapInterrupts } from '../interrupt.ts';

const HELP = `usage: pilot run [files or dirs…] [options]

Boots every scenario on each profile it names and asserts on the kernel's behaviour.
Default path: scenarios/

options:
  -j, --jobs N         runs in parallel (default: number of cores)
  -p, --profile P      only these profiles (repeat or comma-separate): ${PROFILE_NAMES.join(', ')}
  -t, --timeout T      per-run timeout replacing the scenarios' own (e.g. 90s, 5m)
      --artifacts DIR  base folder for artifacts (default: ./artifacts; a timestamped folder is made inside)
  -h, --help

exit codes: 0 all passed, 1 some failed (none errored), 2 infrastructure error or bad input, 130 interrupted`;

export function exitCodeFor(summary: RunSummary): number {
  if (summary.interrupted) return EXIT.interrupted;
  // An ERROR makes the whole run inconclusive, so it outranks a FAIL.
  if (summary.counts.error > 0) return EXIT.error;
  if (summary.counts.fail > 0) return EXIT.failed;
  return EXIT.passed;
}

function planned(run: MatrixRun): PlannedRun {
  return {
    id: run.id,
    scenario: run.scenario.name,
    file: run.scenario.file,
    profile: run.profile,
    stepTitles: run.scenario.steps.map((step) => step.title),
  };
}

function skippedResult(run: MatrixRun, artifactsDir: string): RunResult {
  return {
    id: run.id,
    scenario: run.scenario.name,
    file: run.scenario.file,
    profile: run.profile,
    status: 'skip',
    startedAt: new Date().toISOString(),
    durationMs: 0,
    phases: [],
    steps: [],
    artifactsDir,
    failure: { code: 'E_ABORTED', message: 'not started: the run was interrupted', evidence: [] },
  };
}

export async function runCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags('run', argv, {
    jobs: { type: 'string', short: 'j' },
    profile: { type: 'string', short: 'p', multiple: true },
    timeout: { type: 'string', short: 't' },
    artifacts: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return EXIT.passed;
  }
  const jobs = positiveInteger('--jobs', values.jobs, availableParallelism());
  const timeoutMs = durationFlag('--timeout', values.timeout);
  const profiles = listFlag(values.profile);
  for (const name of profiles) {
    if (!isProfileName(name)) throw new InputError('E_BAD_FLAG', `--profile: expected one of ${PROFILE_NAMES.join(', ')}, got '${name}'`);
  }

  // Every file is checked before anything boots: a typo costs seconds, not a boot.
  const scenarios = await loadScenarios(positionals.length ? positionals : ['scenarios']);
  assertOverlaysKnown(scenarios, (await listOverlays()).map((overlay) => overlay.name));
  const matrix = expandMatrix(scenarios, profiles.filter(isProfileName));

  const interrupts = trapInterrupts();
  try {
    const images: ImageSet = await buildImages({
      signal: interrupts.signal,
      onProgress: (event) => {
        if (event.phase !== 'cached') process.stderr.write(`images: ${event.piece}: ${event.phase}${event.detail ? ` ${event.detail}` : ''}\n`);
      },
    });
    const artifactsDir = await createArtifactsRoot({ base: values.artifacts });
    const reporter = createReporterMux([createConsoleReporter(), createJunitReporter(), createJsonReporter()]);
    const plans = matrix.map(planned);
    await reporter.onBegin({ runs: plans, artifactsDir, jobs });
    const startedAt = new Date();

    const { results, unstarted } = await runPool(
      matrix,
      jobs,
      (run, index) =>
        runScenario({
          planned: plans[index]!,
          scenario: run.scenario,
          backend: new QemuMachine({ profile: PROFILES[run.profile], images, overlays: run.scenario.dtbOverlays[run.profile] ?? [] }),
          artifactsRoot: artifactsDir,
          reporter,
          signal: interrupts.signal,
          timeoutMs,
        }),
      interrupts.signal,
    );
    const runs = [...results.filter((result): result is RunResult => result !== undefined), ...unstarted.map((run) => skippedResult(run, artifactsDir))];
    const summary: RunSummary = {
      startedAt: startedAt.toISOString(),
      durationMs: Date.now() - startedAt.getTime(),
      artifactsDir,
      interrupted: interrupts.received() !== undefined,
      runs,
      counts: countStatuses(runs),
    };
    await reporter.onEnd(summary);
    return exitCodeFor(summary);
  } finally {
    interrupts.dispose();
  }
}
