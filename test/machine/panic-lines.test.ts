// The one panic reader behind QEMU exits, dropped board connections and U-Boot boot watches, on real console lines.
import { describe, expect, it } from 'vitest';
import { PANIC_END_LINE, PANIC_LINE, panicFailure, showsPanic } from '../../harness/machine/panic-lines.ts';

// Linux's panic line as printed with and without a printk timestamp, and Xen's (what boot-watch alone caught before).
const PANIC_LINES = [
  '[    2.907371] Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)',
  'Kernel panic - not syncing: Attempted to kill init! exitcode=0x0000000b',
  '[  100.412305] Kernel panic - not syncing: sysrq triggered crash',
  '[   41.027720] Kernel panic - not syncing: Oops: Fatal exception',
  '(XEN) Panic on CPU 0:',
];

const END_LINES = [
  '[    2.921155] ---[ end Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0) ]---',
  '---[ end Kernel panic - not syncing: Attempted to kill init! exitcode=0x0000000b ]---',
  '(XEN) Reboot in five seconds...',
];

// Crash reports begin with these; a panic that follows one is explained by it.
const CRASH_STARTS = [
  '[  100.411879] sysrq: Trigger a crash',
  '[   41.013577] Internal error: Oops: 0000000096000045 [#1] PREEMPT SMP',
  '[   41.009001] Unable to handle kernel NULL pointer dereference at virtual address 0000000000000008',
  '[   17.300112] BUG: scheduling while atomic: kworker/0:1/23/0x00000002',
];

// A boot that went well, as the console shows it.
const QUIET_BOOT = `U-Boot 2023.01+dfsg-2+deb12u3 (Jun 22 2026 - 10:00:00 +0000)
[    0.000000] Booting Linux on physical CPU 0x0000000000 [0x000f0510]
[    1.204118] virtio_net virtio1 eth0: renamed from eth0
pilot-guest-ready boot_id=6f1c2a0e-1b7d-4f21-9a43-0c7b2f0e5d11 release=6.1.0-28-arm64`.split('\n');

describe('PANIC_LINE', () => {
  it.each(PANIC_LINES)('matches %s', (line) => {
    expect(PANIC_LINE.test(line)).toBe(true);
  });

  // Linux's end marker repeats the panic line; Xen's does not.
  it.each(['(XEN) Reboot in five seconds...', ...CRASH_STARTS, ...QUIET_BOOT])('does not match %s', (line) => {
    expect(PANIC_LINE.test(line)).toBe(false);
  });
});

describe('PANIC_END_LINE', () => {
  it.each(END_LINES)('matches %s', (line) => {
    expect(PANIC_END_LINE.test(line)).toBe(true);
  });

  it.each([...PANIC_LINES, ...QUIET_BOOT])('does not match %s', (line) => {
    expect(PANIC_END_LINE.test(line)).toBe(false);
  });
});

describe('showsPanic', () => {
  it('finds a panic anywhere in the console', () => {
    for (const panic of PANIC_LINES) expect(showsPanic([...QUIET_BOOT, panic, END_LINES[0]!])).toBe(true);
  });

  it('takes an oops or a BUG the kernel survived for no panic', () => {
    expect(showsPanic([...QUIET_BOOT, ...CRASH_STARTS])).toBe(false);
  });
});

describe('panicFailure', () => {
  it('is F_KERNEL_PANIC with the evidence from the cause of the crash, not from the panic line', () => {
    const console = [...QUIET_BOOT, CRASH_STARTS[2]!, '[   41.009050] Mem abort info:', PANIC_LINES[3]!, END_LINES[0]!];
    const failure = panicFailure('the kernel panicked and board-1 went down', console);
    expect(failure.code).toBe('F_KERNEL_PANIC');
    expect(failure.failureClass).toBe('fail');
    expect(failure.message).toBe('the kernel panicked and board-1 went down');
    expect(failure.evidence).toEqual(['--- serial console ---', ...console.slice(QUIET_BOOT.length)]);
  });

  it.each(CRASH_STARTS)('starts the evidence at %s', (start) => {
    const failure = panicFailure('panicked', [...QUIET_BOOT, start, PANIC_LINES[0]!]);
    expect(failure.evidence[1]).toBe(start);
  });

  it('starts at a panic line that has no crash report before it, Xen\'s included', () => {
    for (const panic of PANIC_LINES) expect(panicFailure('panicked', [...QUIET_BOOT, panic]).evidence[1]).toBe(panic);
  });

  it('keeps 40 lines of the report', () => {
    const trace = Array.from({ length: 60 }, (_, i) => `[    2.9] trace line ${i}`);
    const failure = panicFailure('panicked', [...QUIET_BOOT, PANIC_LINES[0]!, ...trace]);
    expect(failure.evidence).toHaveLength(41);
    expect(failure.evidence.at(-1)).toBe('[    2.9] trace line 38');
  });
});
