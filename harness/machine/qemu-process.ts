// Owns one QEMU child: started in its own process group, tied to pilot's life, stopped gracefully then by force.
import { InfraError, type PilotError } from '../core/errors.ts';
import { formatMs } from '../core/wait.ts';
import { startProcess, type HostChild } from '../host/process.ts';
import { panicFailure, showsPanic } from './panic-lines.ts';
import type { QemuCommand } from './qemu-command.ts';
import type { SerialConsole } from './serial-console.ts';

export interface QemuExit {
  code: number | undefined;
  signal: string | undefined;
}

const STDERR_KEEP = 8192;
const SERIAL_KEEP = 200;
const live = new Set<QemuProcess>();

/** Every QEMU this process started and has not yet seen exit; the SIGINT test and Ctrl-C handling read it. */
export function liveQemuPids(): number[] {
  return [...live].map((machine) => machine.pid);
}

export class QemuProcess {
  readonly pid: number;
  /** Resolves when QEMU has exited, for any reason. */
  readonly exited: Promise<QemuExit>;
  /** Rejects with the reason when QEMU exits without pilot asking it to; never resolves. */
  readonly died: Promise<never>;
  private stopping = false;
  private hasExited = false;
  private stderrTail = '';
  private readonly child: HostChild;

  private constructor(command: QemuCommand, private readonly serial: SerialConsole) {
    // Tied to pilot's life: the kernel kills QEMU even if pilot itself is SIGKILLed, and pilot's exit kills its group.
    this.child = startProcess(command.file, command.args, { stdin: 'pipe', cLocale: false, dieWithPilot: true });
    if (this.child.pid === undefined) throw new InfraError('E_QEMU_SPAWN', `could not start ${command.file}`);
    this.pid = this.child.pid;
    live.add(this);
    this.child.stdout?.on('data', (chunk: Buffer) => this.serial.feed(chunk));
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-STDERR_KEEP);
    });
    const startedAt = Date.now();
    this.exited = this.child.exited.then((exit) => {
      this.hasExited = true;
      live.delete(this);
      return { code: exit.code ?? undefined, signal: exit.signal ?? undefined };
    });
    this.died = this.exited.then((exit) => {
      throw this.stopping ? new InfraError('E_QEMU_STOPPED', 'QEMU was stopped by pilot') : this.deathError(exit, Date.now() - startedAt);
    });
    // Waiters attach their own handlers; this one only keeps an unobserved death from crashing pilot.
    this.died.catch(() => {});
  }

  static start(command: QemuCommand, serial: SerialConsole): QemuProcess {
    return new QemuProcess(command, serial);
  }

  get running(): boolean {
    return !this.hasExited;
  }

  stderr(): string {
    return this.stderrTail;
  }

  private deathError(exit: QemuExit, afterMs: number): PilotError {
    const stderr = this.stderrTail.trim();
    const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
    const console = this.serial.tail(SERIAL_KEEP);
    // A guest kernel that panicked made QEMU exit (panic=-1, -no-reboot): that is the kernel failing, not the harness.
    if (showsPanic(console)) return panicFailure(`the kernel panicked and the machine went down (QEMU ${how} after ${formatMs(afterMs)})`, console);
    // QEMU's device models abort the whole emulator on some guest faults; that is infrastructure, not the kernel.
    const hardware = /hardware error|Aborted|assertion/i.test(stderr);
    const code = hardware ? 'E_QEMU_HARDWARE_ERROR' : 'E_QEMU_EXIT';
    const evidence = [
      ...(stderr ? ['--- QEMU stderr ---', ...stderr.split('\n').slice(-15)] : []),
      '--- serial console (last lines) ---',
      ...this.serial.tail(15),
    ];
    return new InfraError(code, `QEMU ${how} after ${formatMs(afterMs)}`, { evidence });
  }

  /** Graceful first (SIGTERM lets QEMU close its files), then SIGKILL to the whole group. */
  async stop(graceMs = 3000): Promise<QemuExit> {
    this.stopping = true;
    if (this.hasExited) return this.exited;
    await this.child.stop(graceMs);
    return this.exited;
  }
}
