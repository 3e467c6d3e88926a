// The board backend: a real board reached over SSH, powered and watched by commands run on the host. Steps, the
// self-check and deploys see the same RunningMachine as on QEMU.
//
// When it counts as dead (`died` rejects):
// - the console command exits without pilot stopping it (E_BOARD_CONSOLE_EXIT): the evidence channel is gone;
// - the SSH connection drops outside a reboot pilot asked for (awaitReboot): F_KERNEL_PANIC when the console shows a
//   panic, E_BOARD_SSH_LOST otherwise. A board that reboots by itself mid-run is never silently reconnected.
import type { Client } from 'ssh2';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { InfraError, type PilotError } from '../../core/errors.ts';
import { earliest, type WaitLimits } from '../../core/wait.ts';
import { watchBootloaderBoots } from '../boot-watch.ts';
import { panicFailure, showsPanic } from '../panic-lines.ts';
import { SshGuest } from '../../guest/ssh-guest.ts';
import type { MachineBackend, MachineStartOptions, RebootedGuest, RunningMachine } from '../machine.ts';
import { PhaseClock } from '../phase-clock.ts';
import { runningMachine } from '../running-machine.ts';
import type { Profile } from '../../model/profile.ts';
import { SerialConsole } from '../serial-console.ts';
import type { BoardConfig } from './board-file.ts';
import { BoardReach, type BoardIdentity } from './board-reach.ts';
import { ConsoleCommand } from './console-command.ts';
import { runPowerCommand } from './power-command.ts';

/** Lets the console deliver the lines that explain a dropped connection before the drop is judged. */
const DROP_GRACE_MS = 1500;
// pilot's step markers go to /dev/kmsg; a board kernel without printk.devkmsg=on rate-limits them away.
const ENABLE_DEVKMSG = 'echo on > /proc/sys/kernel/printk_devkmsg 2>/dev/null; true';

export class BoardMachine implements MachineBackend {
  readonly profile: Profile;
  readonly description: string;

  constructor(readonly board: BoardConfig) {
    this.profile = board.profile;
    this.description = `board ${board.name} (${board.user}@${board.host}:${board.port}) claiming ${board.profile.name}`;
  }

  async start(options: MachineStartOptions): Promise<RunningMachine> {
    const board = this.board;
    const label = `board ${board.name} (${board.user}@${board.host}:${board.port})`;
    // The plan refuses a direct deploy on a board first; this guards callers that start a board by hand.
    if (options.kernel) throw new InfraError('E_DEPLOY_UNSUPPORTED', `${label} boots its own kernel: it cannot be started on ${options.kernel.imagePath} (a direct deploy needs QEMU)`);
    const clock = new PhaseClock(options.onPhase);
    const serial = new SerialConsole(join(options.artifactsDir, 'serial.log'));
    const logPath = join(options.artifactsDir, 'board.log');
    const log = (line: string) => appendFileSync(logPath, `${new Date().toISOString()} ${line}\n`);
    const unsubscribeConsole = options.onConsole ? serial.onChunk(options.onConsole) : () => {};
    const env = { PILOT_BOARD_NAME: board.name, PILOT_BOARD_HOST: board.host, PILOT_BOARD_PORT: String(board.port), PILOT_ARTIFACTS_DIR: options.artifactsDir };
    const hostCommand = (what: string, command: string, signal?: AbortSignal) => {
      log(`${what}: $ ${command}`);
      return runPowerCommand(what, command, { cwd: board.commandDir, env, timeoutMs: board.powerTimeoutMs, signal }).then(
        (result) => {
          log(`${what}: exited 0 after ${result.durationMs} ms${result.output.length ? `\n  ${result.output.join('\n  ')}` : ''}`);
          return result;
        },
        (error: PilotError) => {
          log(`${what}: ${error.message}${error.evidence.length ? `\n  ${error.evidence.join('\n  ')}` : ''}`);
          throw error;
        },
      );
    };
    const evidence = () => {
      const console = serial.tail(15);
      return [`host commands and their output: ${logPath}`, ...(board.console ? ['--- serial console (last lines) ---', ...(console.length ? console : ['(nothing yet)'])] : ['(no console command: no serial evidence)'])];
    };
    const reach = new BoardReach({ host: board.host, port: board.port, username: board.user, privateKey: board.privateKey }, label, evidence);

    // Through U-Boot a kernel that panics resets and boots again, forever: the console says so long before boot-timeout.
    const watchesBoots = board.bootloader === 'u-boot' && board.console !== undefined;
    let consoleCommand: ConsoleCommand | undefined;
    let guest: SshGuest | undefined;
    let current: BoardIdentity | undefined;
    let expectingReboot = false;
    let stopping = false;
    let rejectDied: (error: PilotError) => void = () => {};
    const died = new Promise<never>((_, reject) => {
      rejectDied = reject;
    });
    died.catch(() => {});

    let watched: Client | undefined;
    const watch = (client: Client) => {
      client.once('close', () => {
        if (stopping || expectingReboot || client !== watched) return;
        setTimeout(() => {
          if (stopping || expectingReboot || client !== watched) return;
          rejectDied(connectionDropped(label, serial));
        }, DROP_GRACE_MS).unref();
      });
      watched = client;
    };

    let stopped: Promise<void> | undefined;
    const stop = () =>
      (stopped ??= (async () => {
        stopping = true;
        rejectDied(new InfraError('E_BOARD_STOPPED', 'the board was stopped by pilot'));
        unsubscribeConsole();
        await guest?.close().catch(() => {});
        if (board.powerOff) await hostCommand('power-off', board.powerOff).catch(() => {});
        await consoleCommand?.stop();
        await serial.close();
        log('stopped');
      })());

    try {
      log(`${this.description}; key from ${board.keySource}`);
      if (board.console) {
        // Before power-on, so the first lines of the boot are captured.
        consoleCommand = ConsoleCommand.start(board.console, serial, { cwd: board.commandDir, env });
        log(`console: $ ${board.console} (pid ${consoleCommand.pid})`);
        consoleCommand.died.catch((error: PilotError) => {
          if (!stopping) rejectDied(error);
        });
      }
      const dies = consoleCommand ? [consoleCommand.died] : [];
      if (board.powerOn) {
        clock.begin('power-on');
        await hostCommand('power-on', board.powerOn, options.signal);
      }
      const deadline = earliest(options.deadline, Date.now() + board.bootTimeoutMs)!;
      const limits: WaitLimits = { signal: options.signal, deadline, dies };
      clock.begin('kernel-boot');
      // After a power-on pilot ran, exactly one U-Boot banner belongs to this boot; without one, earlier banners are not its to count.
      const firstBootWatch = watchesBoots && board.powerOn ? watchBootloaderBoots(serial, { bannersExpected: 1 }) : undefined;
      let answered: Awaited<ReturnType<typeof reach.answer>>;
      try {
        answered = await reach.answer({ ...limits, deadline, dies: firstBootWatch ? [...dies, firstBootWatch.failed] : dies });
      } finally {
        firstBootWatch?.dispose();
      }
      const { client, identity } = answered;
      clock.begin('ssh-ready');
      current = identity;
      log(`ssh: ${label} answered after ${reach.attempts} attempt(s): boot_id ${current.bootId}, release ${current.release}`);
      try {
        guest = await this.openGuest(client, join(options.artifactsDir, 'dmesg.log'), died, options.signal, deadline);
      } catch (error) {
        client.destroy();
        throw error;
      }
      watch(client);
      clock.end();

      let boots = 1;
      const awaitReboot = async (previousBootId: string, rebootLimits: WaitLimits): Promise<RebootedGuest> => {
        const startedAt = performance.now();
        expectingReboot = true;
        const rebootDeadline = earliest(rebootLimits.deadline, Date.now() + board.bootTimeoutMs)!;
        const waitLimits = { ...rebootLimits, deadline: rebootDeadline, dies: [...(rebootLimits.dies ?? []), ...dies] };
        log(`reboot: waiting for a boot_id other than ${previousBootId}`);
        const bootWatch = watchesBoots ? watchBootloaderBoots(serial, { bannersExpected: 1 }) : undefined;
        let next: Awaited<ReturnType<typeof reach.answer>>;
        try {
          next = await reach.answer(bootWatch ? { ...waitLimits, dies: [...waitLimits.dies, bootWatch.failed] } : waitLimits, previousBootId);
        } finally {
          bootWatch?.dispose();
        }
        const previous = guest;
        guest = undefined;
        boots += 1;
        // The old connection went down with its kernel; closing it marks the drop as expected.
        await previous?.close().catch(() => {});
        try {
          guest = await this.openGuest(next.client, join(options.artifactsDir, `dmesg-boot${boots}.log`), died, options.signal, rebootDeadline);
        } catch (error) {
          next.client.destroy();
          throw error;
        }
        watch(next.client);
        expectingReboot = false;
        current = next.identity;
        log(`reboot: boot ${boots} answered: boot_id ${next.identity.bootId}, release ${next.identity.release}`);
        return { ...next.identity, elapsedMs: performance.now() - startedAt };
      };

      return runningMachine({
        profile: this.profile,
        bootloader: board.bootloader,
        phases: clock.phases,
        died,
        label,
        currentGuest: () => guest,
        currentBoot: () => current,
        awaitReboot,
        serial,
        stop,
      });
    } catch (error) {
      clock.end();
      await stop();
      throw error;
    }
  }

  private async openGuest(client: Client, dmesgLogPath: string, died: Promise<never>, signal: AbortSignal, deadline: number): Promise<SshGuest> {
    const guest = await SshGuest.open(client, { dmesgLogPath, machineDied: died, signal, deadline });
    await guest.exec(ENABLE_DEVKMSG, { timeoutMs: 15_000, signal });
    return guest;
  }
}

/** A board whose connection drops by itself: a kernel panic if the console says so (the kernel's fault), else infrastructure. */
function connectionDropped(label: string, serial: SerialConsole): PilotError {
  const console = serial.tail(200);
  if (showsPanic(console)) return panicFailure(`the kernel panicked and ${label} went down`, console);
  return new InfraError('E_BOARD_SSH_LOST', `the SSH connection to ${label} dropped outside a reboot pilot asked for`, {
    evidence: ['--- serial console (last lines) ---', ...(console.length ? console.slice(-15) : ['(no console output)'])],
    hint: 'the board rebooted, lost power or network; a console command in the board file would show which',
  });
}
