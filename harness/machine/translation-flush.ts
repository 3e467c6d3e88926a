// QEMU 7.2's TCG keeps its translations of guest code across a kexec and across a machine reset. A page that held the old
// system's code and now holds the new kernel's data stays write-protected while one stale translation remains on it, so
// every store there takes TCG's slow path: measured, a kexec'd kernel reached SSH in 14.8-18.0 s where the same kernel,
// with one flush at the jump, took 5.1-7.6 s. Toggling single-step makes TCG drop every translation; one step through the
// gdbstub does it, and the machine runs on.
import { DeadlineError, type WaitLimits } from '../core/wait.ts';
import { InfraError } from '../core/errors.ts';
import { GdbRemote, type GdbEndpoint } from './gdb-remote.ts';

/** A step normally answers at once; a CPU parked in WFI answers at its next timer tick. */
const STEP_ANSWER_MS = 2_000;

/** Flushes every translation QEMU holds for the machine behind `endpoint`; resolves with the time it took. */
export async function flushTranslations(endpoint: GdbEndpoint, limits: WaitLimits): Promise<number> {
  const started = performance.now();
  const gdb = await GdbRemote.open(endpoint, limits);
  let detached = false;
  try {
    // Attaching stops the machine, and QEMU says so with a stop reply.
    await gdb.next('the stop reply on attach', limits);
    // Interrupts and timers stay enabled during the step, so a CPU waiting for one still completes it.
    await gdb.request('Qqemu.sstepbits=1', limits);
    gdb.send('s');
    const stepDeadline = Math.min(limits.deadline ?? Infinity, Date.now() + STEP_ANSWER_MS);
    try {
      await gdb.next('the stop reply after one step', { ...limits, deadline: stepDeadline });
    } catch (error) {
      if (!(error instanceof DeadlineError)) throw error;
      gdb.interrupt();
      await gdb.next('the stop reply after a break', limits);
    }
    // Detaching turns single-step off again and lets the machine run.
    const reply = await gdb.request('D', limits);
    detached = true;
    if (reply !== 'OK') throw new InfraError('E_GDB_REMOTE', `the gdbstub answered '${reply}' to detach`);
  } finally {
    // QEMU leaves the machine stopped when a client goes without detaching.
    if (!detached) gdb.send('D');
    gdb.close();
  }
  return performance.now() - started;
}
