// `pilot run <files or dirs>`: flags checked here; loading, images, planning, the runs and the reports in runSession.
import { availableParallelism } from 'node:os';
import { InputError, isPilotError } from '../../core/errors.ts';
import { runSession } from '../../runner/session.ts';
import { parseShardFlag } from '../../runner/shard.ts';
import { durationFlag, nonNegativeInteger, positiveInteger } from '../args.ts';
import { BISECT_SKIP, bisectExitCode, exitCodeFor } from '../exit-codes.ts';
import { reportError } from '../report-error.ts';
import { kernelFlag } from '../kernel-flags.ts';
import { keepFlag } from '../keep-flags.ts';
import { parseCommandLine } from '../parse-command-line.ts';
import { printHelp } from '../render-help.ts';
import { profileFlag } from '../scenario-args.ts';
import { RUN } from '../specs/run.ts';
import { terminalIo } from '../terminal-io.ts';

export async function runCommand(argv: string[]): Promise<number> {
  // Bad flags and bad scenario files are inconclusive for git bisect too, so --bisect is looked for before parsing.
  if (!argv.includes('--bisect')) return runParsed(argv);
  try {
    return bisectExitCode(await runParsed(argv));
  } catch (error) {
    if (!(isPilotError(error) && error.failureClass === 'aborted')) reportError('run', error);
    return BISECT_SKIP;
  }
}

async function runParsed(argv: string[]): Promise<number> {
  const { help, values, positionals } = parseCommandLine(RUN, argv);
  if (help) return printHelp(RUN);
  if (values.durations !== undefined && values.shard === undefined) throw new InputError('E_BAD_FLAG', '--durations balances shards: it goes with --shard I/N');
  const keepFailed = keepFlag({ keepFailed: values['keep-failed'], keepFor: values['keep-for'], gdb: values.gdb, board: values.board }, process.env, terminalIo.note);
  const summary = await runSession(
    {
      paths: positionals,
      boardFile: values.board,
      profiles: profileFlag(values.profile),
      jobs: positiveInteger('--jobs', values.jobs, availableParallelism()),
      timeoutMs: durationFlag('--timeout', values.timeout),
      kernel: await kernelFlag(values.kernel, values.modules, values.deploy),
      shard: values.shard === undefined ? undefined : parseShardFlag(values.shard),
      durationsFile: values.durations,
      knownIssuesFile: values['known-issues'],
      artifactsBase: values.artifacts,
      kcidbFile: values.kcidb,
      retries: values.retries === undefined ? 0 : nonNegativeInteger('--retries', values.retries),
      keepFailed,
      gdb: values.gdb ?? false,
    },
    terminalIo,
  );
  return exitCodeFor(summary);
}
