// Watches the console of a machine that boots through U-Boot while a boot is awaited. Without -no-reboot a kernel that
// panics resets into U-Boot and boots the same kernel again, every few seconds, forever: that must end the wait at once.
import { AssertionFailure, InfraError, type PilotError } from '../core/errors.ts';
import { PANIC_END_LINE, PANIC_LINE, panicFailure } from './panic-lines.ts';
import type { SerialConsole } from './serial-console.ts';

/** `U-Boot 2023.01+dfsg-2+deb12u3 (…)`: one per reset of the machine. */
export const UBOOT_BANNER = /^U-Boot 20\d\d\.\d\d/;
/** What boot.cmd (and the env's bootcmd) print when load or booti fails and U-Boot falls back to its prompt. */
export const UBOOT_BOOT_FAILED = /^pilot-boot-failed\s*$/;
const EVIDENCE_LINES = 40;
const KEEP_LINES = 400;

export interface BootWatchOptions {
  /** Banners that belong to the awaited boot: 1 when armed before QEMU starts or before the guest is told to reboot. */
  bannersExpected?: number;
  /** After a panic line, how long to keep collecting its trace before failing. Default 1.5 s. */
  panicTraceMs?: number;
}

export interface BootWatch {
  /** Rejects with F_KERNEL_PANIC, F_BOOT_LOOP or E_UBOOT_BOOT_FAILED; never resolves. */
  readonly failed: Promise<never>;
  dispose(): void;
}

export function watchBootloaderBoots(serial: Pick<SerialConsole, 'onLine'>, options: BootWatchOptions = {}): BootWatch {
  const expected = options.bannersExpected ?? 1;
  let banners = 0;
  // Lines of the boot now running, from its banner on: the evidence of whatever ends it.
  let current: string[] = [];
  let panicked = false;
  let timer: NodeJS.Timeout | undefined;
  let unsubscribe: () => void = () => {};
  let reject: (error: PilotError) => void = () => {};
  const failed = new Promise<never>((_, rejectWith) => {
    reject = rejectWith;
  });
  failed.catch(() => {});
  const fail = (error: PilotError) => {
    clearTimeout(timer);
    unsubscribe();
    reject(error);
  };
  const panicError = (lines: string[]) =>
    panicFailure("the kernel panicked (the machine was stopped: left alone, U-Boot would boot the disk's kernel again)", lines);

  unsubscribe = serial.onLine((line) => {
    if (UBOOT_BANNER.test(line)) {
      banners += 1;
      if (banners > expected) {
        if (panicked) return fail(panicError(current));
        return fail(
          new AssertionFailure('F_BOOT_LOOP', `the machine reset into U-Boot (banner ${banners}, ${expected} expected) without a guest ready in between: the running kernel went down`, {
            evidence: ['--- serial console, end of the failed boot ---', ...current.slice(-EVIDENCE_LINES), line],
          }),
        );
      }
      current = [];
    }
    current.push(line);
    if (current.length > KEEP_LINES) current.shift();
    if (!panicked && PANIC_LINE.test(line)) {
      panicked = true;
      // The trace follows the panic line; a reset or its end marker cuts the wait short.
      timer = setTimeout(() => fail(panicError(current)), options.panicTraceMs ?? 1500);
      return;
    }
    if (panicked && PANIC_END_LINE.test(line)) return fail(panicError(current));
    if (UBOOT_BOOT_FAILED.test(line)) {
      const said = current.filter((text) => text.trim() && !UBOOT_BOOT_FAILED.test(text));
      return fail(
        new InfraError('E_UBOOT_BOOT_FAILED', `U-Boot could not start the kernel on the boot disk${said.length ? `: ${said.at(-1)!.trim()}` : ''}`, {
          evidence: ['--- U-Boot ---', ...said.slice(-20)],
          hint: 'boot.cmd prints pilot-boot-failed when a load or booti fails: a missing file, a bad Image, or an Image too big for its load address',
        }),
      );
    }
  });
  return {
    failed,
    dispose: () => {
      clearTimeout(timer);
      unsubscribe();
    },
  };
}

/**
 * Between awaited boots a U-Boot machine must not reset at all: without -no-reboot a panic in a scenario step would come
 * back up on the disk's kernel instead of ending the run. `died` rejects with the panic (or the reset) and onFailure stops QEMU.
 */
export class ResetGuard {
  readonly died: Promise<never>;
  private watch: BootWatch | undefined;
  private rejectDied: (error: unknown) => void = () => {};

  constructor(private readonly serial: Pick<SerialConsole, 'onLine'>, private readonly onFailure: () => void) {
    this.died = new Promise<never>((_, reject) => {
      this.rejectDied = reject;
    });
    this.died.catch(() => {});
  }

  /** From the guest being ready until the next awaited reboot. */
  arm(): void {
    this.pause();
    const watch = watchBootloaderBoots(this.serial, { bannersExpected: 0 });
    this.watch = watch;
    watch.failed.catch((error: unknown) => {
      if (this.watch !== watch) return;
      this.rejectDied(error);
      this.onFailure();
    });
  }

  /** While a reboot is awaited (its own watch counts the banners), and once the machine stops. */
  pause(): void {
    this.watch?.dispose();
    this.watch = undefined;
  }
}
