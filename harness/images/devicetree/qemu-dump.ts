// Asks QEMU for the device tree it generates for a machine (-machine dumpdtb=), from only the options that shape that tree.
import { runProcess } from '../../host/process.ts';

export const QEMU_AARCH64 = 'qemu-system-aarch64';

/**
 * Options that change the generated tree: the board and its properties, CPUs, memory and NUMA, the kernel command line and
 * initrd (/chosen), and guest-loader devices (Xen's dom0 modules under /chosen). Everything else is dropped so the dump binds no
 * host port, opens no disk and cannot collide with the machine it is made for.
 */
// -bios too: with firmware loaded, virt swaps the PL061 GPIO for an ACPI GED, and a tree that still lists the GPIO aborts Linux.
const KEPT_WITH_VALUE = new Set(['-machine', '-M', '-cpu', '-smp', '-m', '-kernel', '-initrd', '-append', '-numa', '-object', '-accel', '-bios']);
const KEPT_DEVICES = /^guest-loader(,|$)/;

/** QEMU options that take no value; any other option is assumed to take one when the next word is not an option. */
const FLAGS = new Set([
  '-nographic', '-nodefaults', '-no-user-config', '-no-reboot', '-no-shutdown', '-S', '-s', '-daemonize', '-enable-kvm',
  '-snapshot', '-full-screen', '-mem-prealloc', '-preconfig', '-only-migratable', '-semihosting', '-no-hpet', '-no-acpi',
]);

/** QEMU accepts --opt for -opt. */
const normalize = (word: string) => (word.startsWith('--') ? word.slice(1) : word);

export function dtbShapingArgs(qemuArgs: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < qemuArgs.length; i++) {
    const option = normalize(qemuArgs[i]!);
    if (!option.startsWith('-')) continue;
    const next = qemuArgs[i + 1];
    const takesValue = !FLAGS.has(option) && next !== undefined && (KEPT_WITH_VALUE.has(option) || !next.startsWith('-'));
    if (!takesValue) continue;
    i++;
    if (KEPT_WITH_VALUE.has(option) || (option === '-device' && KEPT_DEVICES.test(next!))) kept.push(option, next!);
  }
  return kept;
}

export interface DumpOptions {
  qemuBinary?: string;
  qemuArgs: readonly string[];
  outPath: string;
  signal?: AbortSignal | undefined;
  timeoutMs?: number;
}

export async function dumpQemuDtb(options: DumpOptions): Promise<void> {
  const args = [...dtbShapingArgs(options.qemuArgs), '-nodefaults', '-display', 'none', '-machine', `dumpdtb=${options.outPath.replaceAll(',', ',,')}`];
  await runProcess(options.qemuBinary ?? QEMU_AARCH64, args, {
    code: 'E_DTB_DUMP',
    what: 'dump the QEMU machine device tree',
    signal: options.signal,
    timeoutMs: options.timeoutMs ?? 60_000,
  });
}
