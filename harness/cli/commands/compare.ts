// `pilot compare --baseline K --patched K [scenarios]`: flags checked here; the two runs and the comparison in compareSession.
import { availableParallelism } from 'node:os';
import { compareSession } from '../../runner/compare-session.ts';
import { durationFlag, positiveInteger } from '../args.ts';
import { compareExitCode, EXIT } from '../exit-codes.ts';
import { compareSideFlags } from '../kernel-flags.ts';
import { parseCommandLine } from '../parse-command-line.ts';
import { printHelp } from '../render-help.ts';
import { deployFlag, profileFlag } from '../scenario-args.ts';
import { COMPARE } from '../specs/compare.ts';
import { terminalIo } from '../terminal-io.ts';

export async function compareCommand(argv: string[]): Promise<number> {
  const { help, values, positionals } = parseCommandLine(COMPARE, argv);
  if (help) return printHelp(COMPARE);
  const deploy = deployFlag(values.deploy) ?? 'auto';
  const comparison = await compareSession(
    {
      sides: [
        await compareSideFlags('baseline', values.baseline, values['baseline-modules'], values['baseline-sim'], deploy),
        await compareSideFlags('patched', values.patched, values['patched-modules'], values['patched-sim'], deploy),
      ],
      paths: positionals,
      boardFile: values.board,
      profiles: profileFlag(values.profile),
      jobs: positiveInteger('--jobs', values.jobs, availableParallelism()),
      timeoutMs: durationFlag('--timeout', values.timeout),
      knownIssuesFile: values['known-issues'],
      artifactsBase: values.artifacts,
      jsonFile: values.json,
      junitFile: values.junit,
    },
    terminalIo,
  );
  return comparison ? compareExitCode(comparison) : EXIT.interrupted;
}
