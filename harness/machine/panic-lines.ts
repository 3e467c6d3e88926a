// Reads a kernel panic off a serial console: the line that says so, the line that ends its report, and the evidence.
import { AssertionFailure } from '../core/errors.ts';

/** A panic's own line: Linux's, or Xen's when the hypervisor under dom0 goes down. */
export const PANIC_LINE = /Kernel panic - not syncing|\(XEN\) Panic on CPU/;
/** The last line of a panic's report: nothing more of it will come. */
export const PANIC_END_LINE = /---\[ end Kernel panic|\(XEN\) Reboot in/;
// Where a crash report begins, so the evidence starts at its cause rather than at the panic's last lines.
const CRASH_START = new RegExp(`sysrq: Trigger a crash|Internal error: |Unable to handle kernel|BUG: |${PANIC_LINE.source}`);
const EVIDENCE_LINES = 40;

export function showsPanic(lines: readonly string[]): boolean {
  return lines.some((line) => PANIC_LINE.test(line));
}

/** F_KERNEL_PANIC with the console from the first line of the crash report on. */
export function panicFailure(message: string, lines: readonly string[]): AssertionFailure {
  const start = Math.max(0, lines.findIndex((line) => CRASH_START.test(line)));
  return new AssertionFailure('F_KERNEL_PANIC', message, {
    evidence: ['--- serial console ---', ...lines.slice(start, start + EVIDENCE_LINES)],
  });
}
