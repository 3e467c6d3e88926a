// Reaches a board over SSH, retrying until it answers, and remembers what was tried last so a board that never
// answers is reported with its host, its user and the last attempt's reason.
import type { Client } from 'ssh2';
import { InfraError } from '../../core/errors.ts';
import { formatMs, sleep, type WaitLimits } from '../../core/wait.ts';
import { connectSsh, type SshTarget } from '../../guest/ssh-connect.ts';
import { sshExec } from '../../guest/ssh-exec.ts';

export interface BoardIdentity {
  bootId: string;
  release: string;
}

/** A real board boots for tens of seconds; a retry every second is plenty and does not flood its sshd's log. */
const RETRY_DELAY_MS = 1000;
const IDENTITY = 'cat /proc/sys/kernel/random/boot_id; uname -r';

export class BoardReach {
  attempts = 0;
  lastTried = 'no attempt made';

  constructor(
    private readonly target: SshTarget,
    /** "board lab-1 (root@10.0.0.5:22)". */
    private readonly label: string,
    private readonly evidence: () => string[],
  ) {}

  /** Connects; on the deadline, E_BOARD_UNREACHABLE naming the board and the last attempt. */
  async connect(limits: WaitLimits, what: string): Promise<Client> {
    const startedAt = Date.now();
    try {
      return await connectSsh(this.target, {
        ...limits,
        retryDelayMs: RETRY_DELAY_MS,
        onAttemptFailed: (_, reason) => {
          this.attempts += 1;
          this.lastTried = `ssh connect: ${reason}`;
        },
      });
    } catch (error) {
      if (error instanceof InfraError && error.code === 'E_SSH_UNREACHABLE') throw this.unreachable(what, Date.now() - startedAt, error);
      throw error;
    }
  }

  /** boot_id and `uname -r` over a fresh connection; a failure is recorded and rethrown for the caller to retry. */
  async identity(client: Client, limits: WaitLimits): Promise<BoardIdentity> {
    this.attempts += 1;
    try {
      const result = await sshExec(client, IDENTITY, { timeoutMs: 15_000, ...(limits.signal ? { signal: limits.signal } : {}), dies: limits.dies });
      const [bootId = '', release = ''] = result.stdout.trim().split('\n').map((line) => line.trim());
      if (result.code !== 0 || !/^[0-9a-f-]{36}$/.test(bootId) || !release) {
        this.lastTried = `'${IDENTITY}' answered status ${result.code}: ${JSON.stringify(result.stdout.trim().slice(0, 120))}`;
        throw new InfraError('E_BOARD_IDENTITY', `board answered SSH but not with a boot_id and a release (${this.lastTried})`);
      }
      return { bootId, release };
    } catch (error) {
      if (!(error instanceof InfraError && error.code === 'E_BOARD_IDENTITY')) this.lastTried = `'${IDENTITY}': ${(error as Error).message}`;
      throw error;
    }
  }

  /**
   * Reconnects until the board answers with its boot_id and release; with previousBootId, only from another boot (the
   * reboot or kexec it was asked for). A real board has no readiness line pilot can trust: SSH from a new boot is the proof.
   */
  async answer(limits: WaitLimits & { deadline: number }, previousBootId?: string): Promise<{ client: Client; identity: BoardIdentity }> {
    const startedAt = Date.now();
    const what = previousBootId === undefined ? 'its boot' : `a boot other than ${previousBootId}`;
    for (;;) {
      const client = await this.connect(limits, what);
      try {
        const identity = await this.identity(client, limits);
        if (identity.bootId !== previousBootId) return { client, identity };
        this.lastTried = `SSH answered, still on boot_id ${previousBootId} (the old boot)`;
      } catch (error) {
        if (!retryable(error)) {
          client.destroy();
          throw error;
        }
      }
      client.destroy();
      if (Date.now() + RETRY_DELAY_MS >= limits.deadline) {
        const stillOld = this.lastTried.includes('still on boot_id');
        throw new InfraError(
          stillOld ? 'E_BOARD_NOT_REBOOTED' : 'E_BOARD_UNREACHABLE',
          `${this.label} did not answer from ${what} within ${formatMs(Date.now() - startedAt)}; last tried (attempt ${this.attempts}): ${this.lastTried}`,
          { evidence: this.evidence() },
        );
      }
      await sleep(RETRY_DELAY_MS, limits);
    }
  }

  private unreachable(what: string, afterMs: number, cause: unknown): InfraError {
    return new InfraError(
      'E_BOARD_UNREACHABLE',
      `${this.label} never answered SSH (waiting for ${what}) within ${formatMs(afterMs)}; last tried (attempt ${this.attempts}): ${this.lastTried}`,
      {
        cause,
        evidence: this.evidence(),
        hint: 'check that the board is powered and booted (power-on, console), reachable from this host, and that its user and key are right',
      },
    );
  }
}

/** A dropped or refused exchange during a reboot is the reboot; aborts, deaths and deadlines are not. */
function retryable(error: unknown): boolean {
  if (!(error instanceof InfraError)) return error instanceof Error && error.name !== 'AbortedError';
  return ['E_BOARD_IDENTITY', 'E_SSH_CHANNEL', 'E_SSH_LOST', 'E_EXEC_TIMEOUT'].includes(error.code);
}
