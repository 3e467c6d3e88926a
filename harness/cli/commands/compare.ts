// `pilot compare --baseline K --patched K [scenarios]`: the same matrix on two kernels, then what the patch changed.
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../core/errors.ts';
import { createDeployers } from '../../deploy/deployers.ts';
import { kernelSpecFromArgument } from '../../kernel/input.ts';
import type { KernelRequest } from '../../runner/kernel-plan.ts';
import { buildImages } from '../../images/build.ts';
import { SIM_MODULE_DEFINES } from '../../images/sim-module/build-module.ts';
import { PROFILE_NAMES } from '../../model/profile.ts';
import { compareExitCode, compareRuns } from '../../report/compare/compare.ts';
import { renderCompareConsole } from '../../report/compare/console.ts';
import { writeCompareJson } from '../../report/compare/json.ts';
import { writeCompareJunit } from '../../report/compare/junit.ts';
import { createConsoleReporter, detectConsoleMode } from '../../report/console.ts';
import { createJsonReporter } from '../../report/json.ts';
import { createJunitReporter } from '../../report/junit.ts';
import { createHtmlReporter } from '../../report/html/reporter.ts';
import { createReporterMux } from '../../report/multiplexer.ts';
import type { RunSummary } from '../../model/results.ts';
import { createArtifactsRoot } from '../../runner/artifacts.ts';
import type { RunDeploy } from '../../runner/deploy-stage.ts';
import { prepareDeploys } from '../../runner/prepare-deploys.ts';
import { runMatrix } from '../../runner/run-matrix.ts';
import { expandMatrix } from '../../scenario/matrix.ts';
import { DEPLOY_METHODS, type DeployChoice } from '../../scenario/schema.ts';
import { durationFlag, parseFlags, positiveInteger } from '../args.ts';
import { deployFlag, loadScenarioArgs, profileFlag } from '../scenario-args.ts';
import { EXIT } from '../exit-codes.ts';
import { trapInterrupts } from '../interrupt.ts';
import { printImageProgress } from '../image-progress.ts';

/** The image's own kernel, booted without a push: the natural baseline before a first patch. */
const IMAGE_KERNEL = 'image';

/** Fault variants of the simulated-SoC module, by the name the flags take: they show what a caught regression looks like. */
const SIM_VARIANTS: Readonly<Record<string, string>> = { 'skip-carveout-map': SIM_MODULE_DEFINES.skipCarveoutMap };

const HELP = `usage: pilot compare --baseline K --patched K [files or dirs…] [options]

Runs the same scenarios on every profile twice, on the baseline kernel and on the patched one, and says per
scenario and profile what changed: REGRESSED (passed before, fails now), FIXED, STILL FAILING, UNCHANGED, and
INCONCLUSIVE when a side hit an infrastructure ERROR. Default path: scenarios/

kernels (K): a build tree (make ARCH=arm64 Image modules), an Image with --*-modules, a .deb, a Debian package
name such as linux-image-rt-arm64, or '${IMAGE_KERNEL}' for the kernel the guest image boots (no push)

options:
      --baseline K          the kernel before the patch
      --patched K           the kernel with the patch
      --baseline-modules M  modules for a baseline Image
      --patched-modules M   modules for a patched Image
      --deploy D            ${DEPLOY_METHODS.join(', ')} (default auto: kexec, reboot where kexec is impossible)
      --baseline-sim V      build the simulated-SoC module of that side in a fault variant: ${Object.keys(SIM_VARIANTS).join(', ')}
      --patched-sim V       (a negative control: shows what a regression pilot catches looks like)
  -j, --jobs N              runs in parallel (default: number of cores)
  -p, --profile P           only these profiles: ${PROFILE_NAMES.join(', ')}
  -t, --timeout T           per-run timeout replacing the scenarios' own
      --artifacts DIR       base folder (default ./artifacts); baseline/ and patched/ are made in a timestamped folder
      --json FILE           compare report as JSON (default: <artifacts>/compare.json)
      --junit FILE          compare report as JUnit, one testcase per scenario@profile (default: <artifacts>/compare-junit.xml)
  -h, --help

exit codes: 0 no regression, 1 a regression, 2 bad input or nothing could be compared (every pair inconclusive), 130 interrupted`;

interface Side {
  label: 'baseline' | 'patched';
  request: KernelRequest | undefined;
  simDefines: string[];
}

async function sideFromFlags(label: Side['label'], kernel: string | undefined, modules: string | undefined, sim: string | undefined, deploy: DeployChoice): Promise<Side> {
  if (kernel === undefined) throw new InputError('E_BAD_FLAG', `--${label} is required: the kernel ${label === 'baseline' ? 'before' : 'with'} the patch (or '${IMAGE_KERNEL}')`);
  let simDefines: string[] = [];
  if (sim !== undefined) {
    const define = SIM_VARIANTS[sim];
    if (!define) throw new InputError('E_BAD_FLAG', `--${label}-sim: expected one of ${Object.keys(SIM_VARIANTS).join(', ')}, got '${sim}'`);
    simDefines = [define];
  }
  if (kernel === IMAGE_KERNEL) {
    if (modules !== undefined) throw new InputError('E_BAD_FLAG', `--${label}-modules makes no sense with --${label} ${IMAGE_KERNEL}`);
    return { label, request: undefined, simDefines };
  }
  return { label, request: { spec: await kernelSpecFromArgument(kernel, modules), deploy, origin: `--${label} ${kernel}` }, simDefines };
}

export async function compareCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags('compare', argv, {
    baseline: { type: 'string' },
    patched: { type: 'string' },
    'baseline-modules': { type: 'string' },
    'patched-modules': { type: 'string' },
    'baseline-sim': { type: 'string' },
    'patched-sim': { type: 'string' },
    deploy: { type: 'string' },
    jobs: { type: 'string', short: 'j' },
    profile: { type: 'string', short: 'p', multiple: true },
    timeout: { type: 'string', short: 't' },
    artifacts: { type: 'string' },
    json: { type: 'string' },
    junit: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return EXIT.passed;
  }
  const deploy = deployFlag(values.deploy) ?? 'auto';
  const sides = [
    await sideFromFlags('baseline', values.baseline, values['baseline-modules'], values['baseline-sim'], deploy),
    await sideFromFlags('patched', values.patched, values['patched-modules'], values['patched-sim'], deploy),
  ] as const;
  const jobs = positiveInteger('--jobs', values.jobs, availableParallelism());
  const timeoutMs = durationFlag('--timeout', values.timeout);
  const profiles = profileFlag(values.profile);
  const matrix = expandMatrix(await loadScenarioArgs(positionals), profiles);

  const interrupts = trapInterrupts();
  try {
    const signal = interrupts.signal;
    // Both sides' images and kernels are built and checked before the first boot: a bad patched Image costs no baseline run.
    const prepared = [];
    for (const side of sides) {
      const images = await buildImages({ signal, onProgress: printImageProgress, ...(side.request ? {} : { simModuleDefines: side.simDefines }) });
      const deploys: Map<string, RunDeploy> = side.request
        ? await prepareDeploys(matrix, side.request, createDeployers(images), {
            signal,
            onProgress: printImageProgress,
            simModuleDefines: side.simDefines,
            onKernel: (label) => process.stderr.write(`${side.label} kernel: ${label}\n`),
          })
        : new Map();
      prepared.push({ side, images, deploys });
    }

    const root = await createArtifactsRoot({ base: values.artifacts });
    const summaries: RunSummary[] = [];
    for (const { side, images, deploys } of prepared) {
      process.stdout.write(`\n== ${side.label}: ${side.request ? side.request.origin.replace(/^--\w+ /, '') : 'the image\'s own kernel'} ==\n`);
      const artifactsDir = await createArtifactsRoot({ exact: join(root, side.label) });
      const reporter = createReporterMux([createConsoleReporter(), createJunitReporter(), createJsonReporter(), createHtmlReporter()]);
      const summary = await runMatrix({ matrix, images, jobs, artifactsDir, reporter, signal, timeoutMs, deploys });
      summaries.push(summary);
      if (summary.interrupted) return EXIT.interrupted;
    }

    const comparison = compareRuns(summaries[0]!, summaries[1]!);
    const jsonPath = values.json ?? join(root, 'compare.json');
    const junitPath = values.junit ?? join(root, 'compare-junit.xml');
    await writeCompareJson(comparison, jsonPath);
    await writeCompareJunit(comparison, junitPath);
    process.stdout.write('\n' + renderCompareConsole(comparison, { color: detectConsoleMode(process.stdout).color }) + '\n');
    process.stdout.write(`\nCompare report: ${jsonPath}, ${junitPath}\nArtifacts: ${root}\n`);
    return compareExitCode(comparison);
  } finally {
    interrupts.dispose();
  }
}
