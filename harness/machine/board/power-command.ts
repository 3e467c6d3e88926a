// Runs a board's power-on or power-off command on the host, in the words the board file and board.log use for it.
import { InfraError } from '../../core/errors.ts';
import { runShell, tailLines } from '../../host/process.ts';

export interface PowerCommandOptions {
  cwd: string;
  /** The board's PILOT_* variables, added to pilot's environment. */
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
}

export interface PowerCommandResult {
  /** stdout and stderr interleaved, the last lines only. */
  output: string[];
  durationMs: number;
}

const OUTPUT_LINES = 40;

/**
 * Resolves when the command's shell exits, not when its output closes: a power-on script that leaves a daemon holding
 * stdout (a lab's ser2net, the stand-in board's QEMU) must not hang the run. Throws E_BOARD_COMMAND on a non-zero status
 * or past the power timeout, quoting the command as the board file wrote it.
 */
export async function runPowerCommand(what: string, command: string, options: PowerCommandOptions): Promise<PowerCommandResult> {
  const result = await runShell(command, {
    what: `the ${what} command`,
    code: 'E_BOARD_COMMAND',
    cwd: options.cwd,
    env: options.env,
    // The board's scripts are the lab's: they get the user's locale, as when the lab runs them by hand.
    cLocale: false,
    timeoutMs: options.timeoutMs,
    signal: options.signal,
    failure: (failure) => {
      const output = tailLines(failure.output, OUTPUT_LINES);
      const said = failure.reason === 'exit' && output.length ? `: ${output.at(-1)}` : '';
      return new InfraError('E_BOARD_COMMAND', `${what} command '${command}' ${failure.how}${said}`, { evidence: output });
    },
  });
  return { output: tailLines(result.output, OUTPUT_LINES), durationMs: result.durationMs };
}
