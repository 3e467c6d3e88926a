// Runs a board's console command for the whole run: its stdout is the serial console, fed to serial.log like QEMU's.
import { spawn, type ChildProcess } from 'node:child_process';
import { InfraError } from '../../core/errors.ts';
import type { SerialConsole } from '../serial-console.ts';
import { killGroup } from './host-command.ts';

const live = new Set<ConsoleCommand>();

// Last resort, as for QEMU: a console reader must not outlive pilot.
process.once('exit', () => {
  for (const console of live) console.killNow();
});

export class ConsoleCommand {
  /** Rejects when the command exits without pilot stopping it; never resolves. */
  readonly died: Promise<never>;
  readonly exited: Promise<void>;
  private readonly child: ChildProcess;
  private stopping = false;
  private hasExited = false;
  private stderrTail = '';

  private constructor(readonly command: string, serial: SerialConsole, cwd: string, env: NodeJS.ProcessEnv) {
    // setpriv --pdeathsig: the kernel kills the shell even if pilot is SIGKILLed; its own group is killed on stop.
    this.child = spawn('setpriv', ['--pdeathsig', 'KILL', '--', 'sh', '-c', command], { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(this);
    this.child.stdout!.on('data', (chunk: Buffer) => serial.feed(chunk));
    this.child.stderr!.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-4096);
    });
    let exitedWith: { code: number | null; signal: string | null; error?: Error } = { code: null, signal: null };
    this.exited = new Promise<void>((resolve) => {
      this.child.once('error', (error) => {
        exitedWith = { code: null, signal: null, error };
        resolve();
      });
      this.child.once('exit', (code, signal) => {
        exitedWith = { code, signal };
        resolve();
      });
    }).then(() => {
      this.hasExited = true;
      live.delete(this);
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

  static start(command: string, serial: SerialConsole, options: { cwd: string; env?: NodeJS.ProcessEnv }): ConsoleCommand {
    return new ConsoleCommand(command, serial, options.cwd, options.env ?? process.env);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** SIGTERM to its group, SIGKILL after the grace; resolves once the shell has exited. */
  async stop(graceMs = 2000): Promise<void> {
    this.stopping = true;
    if (this.hasExited) return;
    killGroup(this.child.pid, 'SIGTERM');
    const timer = setTimeout(() => killGroup(this.child.pid, 'SIGKILL'), graceMs);
    try {
      await this.exited;
    } finally {
      clearTimeout(timer);
      // Children that ignored SIGTERM go with the group even after the shell has gone.
      killGroup(this.child.pid, 'SIGKILL');
    }
  }

  killNow(): void {
    this.stopping = true;
    killGroup(this.child.pid, 'SIGKILL');
  }
}
