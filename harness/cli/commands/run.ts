// `pilot run <files or dirs>`: flags checked here; loading, images, planning, the runs and the reports in runSession.
import { availableParallelism } from 'node:os';
import { InputError } from '../../core/errors.ts';
import { runSession } from '../../runner/session.ts';
import { parseShardFlag } from '../../runner/shard.ts';
import { durationFlag, positiveInteger } from '../args.ts';
import { exitCodeFor } from '../exit-codes.ts';
import { kernelFlag } from '../kernel-flags.ts';
import { parseCommandLine } from '../parse-command-line.ts';
import { printHelp } from '../render-help.ts';
import { profileFlag } from '../scenario-args.ts';
import { RUN } from '../specs/run.ts';
import { terminalIo } from '../terminal-io.ts';

export async function runCommand(argv: string[]): Promise<number> {
  const { help, values, positionals } = parseCommandLine(RUN, argv);
  if (help) return printHelp(RUN);
  if (values.durations !== undefined && values.shard === undefined) throw new InputError('E_BAD_FLAG', '--durations balances shards: it goes with --shard I/N');
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
    },
    terminalIo,
  );
  return exitCodeFor(summary);
}
