// Leaving the running kernel for the pushed one: arm the wait for the new boot first, fire the jump detached, then wait.
import { InfraError } from '../core/errors.ts';
import { linkedAbort, race } from '../core/wait.ts';
import type { ExecResult } from '../guest/guest.ts';
import type { RunningMachine } from '../machine/machine.ts';
import { isDroppedConnection } from './push-attempts.ts';

/** A command that failed on the target, quoting the last thing it printed. */
export function commandFailure(code: string, what: string, result: Pick<ExecResult, 'code' | 'stdout' | 'stderr'>): InfraError {
  const output = `${result.stdout}\n${result.stderr}`.trim().split('\n').filter(Boolean);
  return new InfraError(code, `${what} failed with status ${result.code}${output.length ? `: ${output.at(-1)}` : ''}`, { evidence: output.slice(-10) });
}

export interface RestartCommand {
  /** What ends the running kernel, e.g. `kexec -e` or `reboot -f`. */
  command: string;
  /** Run first, in the same shell, e.g. `sync`. */
  before?: string;
  /** Stable code when the command cannot even be started. */
  code: string;
  /** The release expected next, for messages. */
  release: string;
  /** What the wait is for, e.g. "the kexec'd kernel 6.1.0-56-rt-arm64 to come up". */
  waitingFor: string;
}

export async function restartInto(machine: RunningMachine, previousBootId: string, restart: RestartCommand, limits: { signal: AbortSignal; deadline: number }): Promise<void> {
  const { signal, deadline } = limits;
  const dies = [machine.died];
  const waiting = linkedAbort(signal);
  // Watching starts before the jump, so the new readiness line (or a boot-loop banner) cannot be missed.
  const rebooted = machine.awaitReboot(previousBootId, { signal: waiting.signal, deadline, dies });
  rebooted.catch(() => {});
  try {
    // Detached and delayed so this command's status gets back before the kernel goes; a failed jump says so on the console.
    const detached = `setsid sh -c 'usleep 300000; ${restart.command}; echo "pilot-guest-error: ${restart.command} returned with status $? instead of starting ${restart.release}" >/dev/console' </dev/null >/dev/null 2>&1 &`;
    const fired = await machine.guest
      .exec(restart.before ? `${restart.before}; ${detached}` : detached, { timeoutMs: 15_000, signal })
      // The old kernel may take the connection down before the status arrives: that is the jump, not a failure.
      .catch((error: unknown) => {
        if (isDroppedConnection(error)) return undefined;
        throw error;
      });
    if (fired && fired.code !== 0 && fired.code !== null) throw commandFailure(restart.code, `starting ${restart.command}`, fired);
    await race(rebooted, restart.waitingFor, { signal, deadline, dies });
  } catch (error) {
    waiting.abort(error);
    throw error;
  } finally {
    waiting.dispose();
  }
}
