// `pilot run <files or dirs>`: load and check every scenario first, build images, then run the matrix in parallel and report.
import { availableParallelism } from 'node:os';
import { InputError } from '../../core/errors.ts';
import { buildImages } from '../../images/build.ts';
import type { ImageSet } from '../../images/image-set.ts';
import { PROFILE_NAMES } from '../../model/profile.ts';
import { createConsoleReporter } from '../../report/console.ts';
import { createJsonReporter } from '../../report/json.ts';
import { createJunitReporter } from '../../report/junit.ts';
import { createReporterMux } from '../../report/multiplexer.ts';
import { expandMatrix } from '../../scenario/matrix.ts';
import { kernelSpecFromArgument } from '../../kernel/input.ts';
import type { KernelRequest } from '../../runner/kernel-plan.ts';
import { printImageProgress } from '../image-progress.ts';
import { createArtifactsRoot } from '../../runner/artifacts.ts';
import { prepareDeploys } from '../../runner/prepare-deploys.ts';
import { qemuBackendFor, runMatrix } from '../../runner/run-matrix.ts';
import { planBoards } from '../../runner/scenario-boards.ts';
import { durationFlag, parseFlags, positiveInteger } from '../args.ts';
import { deployFlag, loadScenarioArgs, profileFlag } from '../scenario-args.ts';
import { EXIT, exitCodeFor } from '../exit-codes.ts';
import { knownIssuesOfScenarios, loadKnownIssues } from '../../known-issues/load.ts';
import { describeExpired, expiredKnownIssues, todayUtc } from '../../known-issues/match.ts';
import { loadDurations, parseShardFlag, selectShard, shardRecord } from '../../runner/shard.ts';
import { trapInterrupts } from '../interrupt.ts';
import { loadBoardFile } from '../../machine/board/board-file.ts';
import { BoardMachine } from '../../machine/board/board-machine.ts';
import { deployersForRuns } from '../../runner/board-deployers.ts';
import { createHtmlReporter } from '../../report/html/reporter.ts';
import { createKcidbReporter } from '../../report/kcidb/reporter.ts';
import { kcidbKernelOf, kcidbKernelOfPushed } from '../../report/kcidb/kernel.ts';

const HELP = `usage: pilot run [files or dirs…] [options]

Boots every scenario on each profile it names and asserts on the kernel's behaviour.
Default path: scenarios/

options:
  -j, --jobs N         runs in parallel (default: number of cores)
  -p, --profile P      only these profiles (repeat or comma-separate): ${PROFILE_NAMES.join(', ')}
  -t, --timeout T      per-run timeout replacing the scenarios' own (e.g. 90s, 5m)
      --artifacts DIR  base folder for artifacts (default: ./artifacts; a timestamped folder is made inside)
      --shard I/N      run only share I of N of the matrix (stable, balanced by --durations), for parallel CI jobs
      --durations F    an earlier results.json (or its folder) whose run durations balance the shards
      --board FILE     run on a lab board reached over SSH (see boards/) instead of QEMU, on the profile it claims
      --kcidb FILE     also write the results as a KCIDB I/O document (checkouts, builds, tests) for KernelCI
      --known-issues F known failures (default: known-issues.yaml when present); matching ones are reported KNOWN
  -k, --kernel K       push this kernel after boot and run the steps on it, replacing the scenarios' kernel: keys.
                       K is a build tree (make ARCH=arm64 Image modules), an Image with --modules, a .deb,
                       or a Debian package name such as linux-image-rt-arm64
      --modules M      lib/modules/<release> folder or tarball for an Image given to --kernel
      --deploy D       how the kernel starts: auto (default: kexec, reboot where kexec is impossible), kexec, reboot
  -h, --help

exit codes: 0 all passed, 1 some failed (none errored), 2 infrastructure error or bad input, 130 interrupted`;


export async function runCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags('run', argv, {
    jobs: { type: 'string', short: 'j' },
    profile: { type: 'string', short: 'p', multiple: true },
    timeout: { type: 'string', short: 't' },
    artifacts: { type: 'string' },
    kernel: { type: 'string', short: 'k' },
    modules: { type: 'string' },
    deploy: { type: 'string' },
    shard: { type: 'string' },
    durations: { type: 'string' },
    'known-issues': { type: 'string' },
    board: { type: 'string' },
    kcidb: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return EXIT.passed;
  }
  const board = values.board === undefined ? undefined : await loadBoardFile(values.board);
  const requestedJobs = positiveInteger('--jobs', values.jobs, availableParallelism());
  const timeoutMs = durationFlag('--timeout', values.timeout);
  const profiles = profileFlag(values.profile);
  const scenarios = await loadScenarioArgs(positionals);
  const onBoard = board ? scenarios.filter((scenario) => scenario.profiles.includes(board.profile.name)) : scenarios;
  if (board && onBoard.length < scenarios.length) {
    const left = scenarios.filter((scenario) => !onBoard.includes(scenario)).map((scenario) => scenario.name);
    process.stderr.write(`pilot: board ${board.name} claims ${board.profile.name}; not run there: ${left.join(', ')}\n`);
  }
  const boards = await planBoards(onBoard, expandMatrix(onBoard, board ? [board.profile.name] : profiles), board);
  const fullMatrix = boards.matrix;
  // A board is one physical machine: with one in play, runs go one at a time.
  const jobs = boards.byScenario.size ? 1 : requestedJobs;
  if (values.durations !== undefined && values.shard === undefined) throw new InputError('E_BAD_FLAG', '--durations balances shards: it goes with --shard I/N');
  const shard = values.shard === undefined ? undefined : parseShardFlag(values.shard);
  const durations = values.durations === undefined ? undefined : await loadDurations(values.durations);
  const matrix = shard ? selectShard(fullMatrix, shard, durations) : fullMatrix;
  const knownIssues = [...knownIssuesOfScenarios(scenarios), ...(await loadKnownIssues(values['known-issues']))];
  for (const issue of expiredKnownIssues(knownIssues, todayUtc())) process.stderr.write(`pilot: ${describeExpired(issue)}\n`);

  const kernelOverride = await kernelFlag(values.kernel, values.modules, values.deploy);

  const interrupts = trapInterrupts();
  try {
    // The second base set (6.12, EL3 firmware) costs a build only when a run needs it.
    const realSoc = matrix.some((run) => run.scenario.soc === 'real');
    const images: ImageSet = await buildImages({ signal: interrupts.signal, onProgress: printImageProgress, realSoc });
    // Kernels under test are checked and built before any machine starts: a wrong Image costs no boot.
    const deploys = await prepareDeploys(matrix, kernelOverride, deployersForRuns(boards.byScenario, images), {
      signal: interrupts.signal,
      onProgress: printImageProgress,
      onKernel: (label) => process.stderr.write(`kernel under test: ${label}\n`),
    });
    const artifactsDir = await createArtifactsRoot({ base: values.artifacts });
    const reporters = [createConsoleReporter(), createJunitReporter(), createJsonReporter(), createHtmlReporter()];
    if (values.kcidb !== undefined) {
      const pushed = kernelOverride ? [...deploys.values()][0]?.kernel : undefined;
      reporters.push(createKcidbReporter(values.kcidb, { kernel: pushed ? kcidbKernelOfPushed(pushed) : await kcidbKernelOf(images.kernel) }));
    }
    const reporter = createReporterMux(reporters);
    const qemu = qemuBackendFor(images);
    const summary = await runMatrix({
      matrix,
      images,
      jobs,
      artifactsDir,
      reporter,
      signal: interrupts.signal,
      timeoutMs,
      deploys,
      knownIssues,
      backendFor: (run, deploy) => {
        const onIt = boards.byScenario.get(run.scenario.name);
        return onIt ? new BoardMachine(onIt) : qemu(run, deploy);
      },
      ...(shard ? { shard: shardRecord(shard, fullMatrix) } : {}),
    });
    return exitCodeFor(summary);
  } finally {
    interrupts.dispose();
  }
}


/** --kernel/--modules/--deploy as one request; a flag that makes no sense alone is refused here, naming it. */
export async function kernelFlag(kernel: string | undefined, modules: string | undefined, deploy: string | undefined): Promise<KernelRequest | undefined> {
  const method = deployFlag(deploy);
  if (kernel === undefined) {
    if (modules !== undefined) throw new InputError('E_BAD_FLAG', '--modules goes with --kernel IMAGE');
    if (deploy !== undefined) throw new InputError('E_BAD_FLAG', '--deploy goes with --kernel (or a scenario\'s kernel: key, which has its own deploy:)');
    return undefined;
  }
  return { spec: await kernelSpecFromArgument(kernel, modules), deploy: method ?? 'auto', origin: `--kernel ${kernel}` };
}
