// --keep-failed, --keep-for and --gdb of `pilot run`: checked before anything boots, and bounded in CI.
import { InputError } from '../core/errors.ts';
import { formatMs } from '../core/wait.ts';
import { CI_KEEP_CAP_MS, DEFAULT_KEEP_MS } from '../runner/kept-machines.ts';
import { durationFlag } from './args.ts';

export interface DebugFlags {
  keepFailed?: boolean | undefined;
  keepFor?: string | undefined;
  gdb?: boolean | undefined;
  board?: string | undefined;
}

/** How long kept machines live, or undefined without --keep-failed; in CI never longer than CI_KEEP_CAP_MS. */
export function keepFlag(flags: DebugFlags, env: Readonly<Record<string, string | undefined>> = process.env, note: (line: string) => void = () => undefined): { forMs: number } | undefined {
  if (flags.gdb && flags.board !== undefined) throw new InputError('E_BAD_FLAG', '--gdb starts QEMU\'s gdbstub: it cannot go with --board, which runs on a lab board');
  if (!flags.keepFailed) {
    if (flags.keepFor !== undefined) throw new InputError('E_BAD_FLAG', '--keep-for says how long --keep-failed keeps a machine: it goes with --keep-failed');
    return undefined;
  }
  if (flags.board !== undefined) throw new InputError('E_BAD_FLAG', '--keep-failed keeps QEMU machines: it cannot go with --board, whose board pilot powers off after each run');
  const asked = durationFlag('--keep-for', flags.keepFor) ?? DEFAULT_KEEP_MS;
  if (env.CI !== 'true' || asked <= CI_KEEP_CAP_MS) return { forMs: asked };
  // A CI job must end: nobody is there to press Ctrl-C.
  if (flags.keepFor !== undefined) note(`pilot: CI=true: kept machines stay up ${formatMs(CI_KEEP_CAP_MS)} at most, not the ${flags.keepFor} --keep-for asks`);
  return { forMs: CI_KEEP_CAP_MS };
}
