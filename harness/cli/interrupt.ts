// Turns SIGINT, SIGTERM, SIGHUP and the loss of pilot's parent into an abort of the whole run; a second one stops every QEMU at once and exits.
import { AbortedError } from '../core/errors.ts';
import { signalGroup } from '../host/process.ts';
import { liveQemuPids } from '../machine/qemu-process.ts';
import { EXIT } from './exit-codes.ts';
import { watchParent } from './parent-watch.ts';

export interface InterruptScope {
  signal: AbortSignal;
  /** Which signal arrived, if any. */
  received(): NodeJS.Signals | undefined;
  dispose(): void;
}

export function trapInterrupts(log: (line: string) => void = (line) => process.stderr.write(line + '\n')): InterruptScope {
  const controller = new AbortController();
  let received: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals, why = `${signal} received`) => {
    if (received) {
      // The user insists: kill the process groups now; the exit handler in qemu-process reaps the rest.
      for (const pid of liveQemuPids()) signalGroup(pid, 'SIGKILL');
      process.exit(EXIT.interrupted);
    }
    received = signal;
    log(`\npilot: ${why}, stopping machines and writing results (again to force)`);
    controller.abort(new AbortedError(`interrupted: ${why}`));
  };
  const stopWatchingParent = watchParent((parent) => onSignal('SIGHUP', `the process that started pilot (pid ${parent}) is gone`));
  // Node calls a signal listener with the name and the number; only the name may reach onSignal, or "2" would be the reason.
  const onProcessSignal = (signal: NodeJS.Signals) => onSignal(signal);
  process.on('SIGINT', onProcessSignal);
  process.on('SIGTERM', onProcessSignal);
  process.on('SIGHUP', onProcessSignal);
  return {
    signal: controller.signal,
    received: () => received,
    dispose: () => {
      stopWatchingParent();
      process.off('SIGINT', onProcessSignal);
      process.off('SIGTERM', onProcessSignal);
      process.off('SIGHUP', onProcessSignal);
    },
  };
}
