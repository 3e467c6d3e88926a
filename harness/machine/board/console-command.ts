// Runs a board's console command for the whole run: its stdout is the serial console, fed to serial.log like QEMU's.
import { InfraError } from '../../core/errors.ts';
import { startProcess, type ChildExit, type HostChild } from '../../host/process.ts';
import type { SerialConsole } from '../serial-console.ts';

export class ConsoleCommand {
  /** Rejects when the command exits without pilot stopping it; never resolves. */
  readonly died: Promise<never>;
  readonly exited: Promise<void>;
  private readonly child: HostChild;
  private stopping = false;
  private stderrTail = '';

  private constructor(readonly command: string, serial: SerialConsole, cwd: string, env: NodeJS.ProcessEnv | undefined) {
    // Tied to pilot's life (a console reader must not outlive it); its own group is killed on stop.
    this.child = startProcess('sh', ['-c', command], { cwd, env, cLocale: false, dieWithPilot: true });
    this.child.stdout!.on('data', (chunk: Buffer) => serial.feed(chunk));
    this.child.stderr!.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-4096);
    });
    let exitedWith: ChildExit = { code: null, signal: null };
    this.exited = this.child.exited.then((exit) => {
      exitedWith = exit;
    });
    this.died = this.exited.then(() => {
      if (this.stopping) throw new InfraError('E_BOARD_STOPPED', 'the board was stopped by pilot');
      const how = exitedWith.error ? `could not start (${exitedWith.error.message})` : exitedWith.signal ? `was killed by ${exitedWith.signal}` : `exited with status ${exitedWith.code}`;
      const stderr = this.stderrTail.trim().split('\n').filter(Boolean).slice(-10);
      throw new InfraError('E_BOARD_CONSOLE_EXIT', `the console command '${command}' ${how}: the board's serial console is lost`, {
        evidence: [...(stderr.length ? ['--- console command stderr ---', ...stderr] : []), '--- serial console (last lines) ---', ...serial.tail(15)],
      });
    });
    this.died.catch(() => {});
  }

  /** `env` is added to pilot's own environment. */
  static start(command: string, serial: SerialConsole, options: { cwd: string; env?: NodeJS.ProcessEnv }): ConsoleCommand {
    return new ConsoleCommand(command, serial, options.cwd, options.env);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** SIGTERM to its group, SIGKILL after the grace; resolves once the shell has exited. */
  async stop(graceMs = 2000): Promise<void> {
    this.stopping = true;
    await this.child.stop(graceMs);
  }
}
