// `pilot shell <run>`: ssh into a machine kept by `pilot run --keep-failed`, refusing clearly when it is not there.
import { InputError } from '../../core/errors.ts';
import { shellLine } from '../../host/shell-quote.ts';
import { runInteractive } from '../../host/process.ts';
import { sshCommandWords } from '../../guest/ssh-command.ts';
import { DEFAULT_ARTIFACTS_BASE } from '../../runner/artifacts.ts';
import { checkKeptMachineUp, findKeptRun } from '../../runner/find-kept-machine.ts';
import { EXIT } from '../exit-codes.ts';
import { watchParent } from '../parent-watch.ts';
import { parseCommandLine } from '../parse-command-line.ts';
import { printHelp } from '../render-help.ts';
import { SHELL } from '../specs/shell.ts';

export async function shellCommand(argv: string[]): Promise<number> {
  const { help, values, positionals } = parseCommandLine(SHELL, argv);
  if (help) return printHelp(SHELL);
  const [run, ...remoteCommand] = positionals;
  if (run === undefined) throw new InputError('E_BAD_FLAG', 'pilot shell: name a run (scenario@profile) or its artifacts folder (see pilot shell --help)');
  const location = await findKeptRun(run, values.artifacts ?? DEFAULT_ARTIFACTS_BASE);
  await checkKeptMachineUp(location);
  const { record } = location;
  const words = sshCommandWords({ host: record.host, port: record.sshPort, user: record.user, privateKeyPath: record.privateKeyPath }, remoteCommand);
  if (values.print) {
    process.stdout.write(`${shellLine(words)}\n`);
    return EXIT.passed;
  }
  process.stderr.write(`pilot shell: ${record.run} (QEMU pid ${record.pid}, kept until ${record.until}): ${shellLine(words)}\n`);
  return runSsh(words);
}

/** ssh owns the terminal: Ctrl-C is the remote shell's; SIGTERM, SIGHUP or the loss of pilot's parent end ssh. */
async function runSsh(words: string[]): Promise<number> {
  const controller = new AbortController();
  const end = () => controller.abort();
  const ignore = () => undefined;
  process.on('SIGINT', ignore);
  process.on('SIGTERM', end);
  process.on('SIGHUP', end);
  const stopWatching = watchParent(end);
  try {
    return await runInteractive(words[0]!, words.slice(1), { code: 'E_SHELL_SSH', signal: controller.signal });
  } finally {
    stopWatching();
    process.off('SIGINT', ignore);
    process.off('SIGTERM', end);
    process.off('SIGHUP', end);
  }
}
