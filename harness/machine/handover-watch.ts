// Watches a QEMU machine's console for the moment its memory passes to a new kernel (a kexec, a restart) and flushes
// TCG's translations then (translation-flush.ts), logging each flush to the run's artifacts.
import { appendFile } from 'node:fs/promises';
import { toPilotError } from '../core/errors.ts';
import { formatMs } from '../core/wait.ts';
import type { GdbEndpoint } from './gdb-remote.ts';
import type { SerialConsole } from './serial-console.ts';
import { flushTranslations } from './translation-flush.ts';

/** Printed by the old kernel (or Xen) just before it hands the machine over: kernel/kexec_core.c, kernel/reboot.c, Xen's shutdown. */
export const HANDOVER_LINES: readonly RegExp[] = [/kexec_core: Starting new kernel/, /reboot: Restarting system/, /\(XEN\) .*rebooting machine/i];

const FLUSH_LIMIT_MS = 10_000;

export interface HandoverWatchOptions {
  endpoint: GdbEndpoint;
  /** One line per flush, for whoever wonders why a kexec'd boot took as long as it did. */
  logPath: string;
  died: Promise<never>;
  flush?: typeof flushTranslations;
}

export interface HandoverWatch {
  /** Flushes done (or tried) so far. */
  readonly flushes: number;
  /** Stops watching and waits for a flush under way. */
  dispose(): Promise<void>;
}

export function watchHandovers(serial: SerialConsole, options: HandoverWatchOptions): HandoverWatch {
  const flush = options.flush ?? flushTranslations;
  let inFlight: Promise<void> | undefined;
  let flushes = 0;
  const log = (line: string) => appendFile(options.logPath, `${new Date().toISOString()} ${line}\n`).catch(() => {});
  const unsubscribe = serial.onLine((line) => {
    const trigger = HANDOVER_LINES.find((pattern) => pattern.test(line));
    // One flush covers every line of one handover.
    if (!trigger || inFlight) return;
    flushes += 1;
    const seen = line.trim();
    inFlight = flush(options.endpoint, { deadline: Date.now() + FLUSH_LIMIT_MS, dies: [options.died] })
      .then(
        (ms) => log(`'${seen}': QEMU's translations flushed in ${formatMs(ms)}`),
        // A missed flush costs speed, not correctness: the run goes on and the log says why it was slow.
        (error: unknown) => {
          const failure = toPilotError(error);
          return log(`'${seen}': flushing QEMU's translations failed: ${failure.code}: ${failure.message}`);
        },
      )
      .finally(() => {
        inFlight = undefined;
      });
  });
  return {
    get flushes() {
      return flushes;
    },
    async dispose() {
      unsubscribe();
      await inFlight;
    },
  };
}
