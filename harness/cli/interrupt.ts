// Turns SIGINT/SIGTERM into an abort of the whole run; a second signal stops every QEMU at once and exits.
import { AbortedError } from '../core/errors.ts';
import { liveQemuPids } from '../machine/qemu-process.ts';
import { EXIT } from './exit-codes.ts';

export interface InterruptScope {
  signal: AbortSignal;
  /** Which signal arrived, if any. */
  received(): NodeJS.Signals | undefined;
  dispose(): void;
}

export function trapInterrupts(log: (line: string) => void = (line) => process.stderr.write(line + '\n')): InterruptScope {
  const controller = new AbortController();
  let received: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (received) {
      // The user insists: kill the process groups now; the exit handler in qemu-process reaps the rest.
      for (const pid of liveQemuPids()) {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      process.exit(EXIT.interrupted);
    }
    received = signal;
    log(`\npilot: ${signal} received, stopping machines and writing results (again to force)`);
    controller.abort(new AbortedError(`interrupted by ${signal}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    received: () => received,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
