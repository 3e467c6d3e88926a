// Builds the new initrd on the target from what was pushed there: the machine's base initramfs, then the modules archive
// the host made (modules-archive.ts). Linux unpacks concatenated archives in order; /init picks the load list by
// `uname -r`. The target only concatenates and hashes: archiving and compressing under emulation cost seconds.
// (Cutting the base out of the running kernel's retained initrd would spare its push, but /sys/firmware/initrd appeared
// in 6.5, after the base image's 6.1.)
import { InfraError } from '../core/errors.ts';
import { formatMs, linkedAbort, race, type WaitLimits } from '../core/wait.ts';
import type { ExecResult, Guest } from '../guest/guest.ts';
import { shellWord } from '../host/shell-quote.ts';

/** Where the pieces are on the target; all absolute paths. */
export interface InitrdLayout {
  /** The pushed base initramfs (gzip'd cpio). Removed once the initrd is written. */
  basePath: string;
  /** The pushed modules archive (gzip'd newc cpio). Removed once the initrd is written. */
  modulesPath: string;
  /** Where the initrd goes; written beside it first and renamed, so a failure leaves no half file there. */
  outputPath: string;
  /** sha256 of base ‖ modules as the host computed it: the one initrd this may produce. */
  expectedSha256: string;
}

export interface AssembledInitrd {
  remotePath: string;
  bytes: number;
  /** Hashed by the target from the file it wrote: the initrd the next kernel is given. */
  sha256: string;
  assembleMs: number;
}

export interface AssembleLimits extends WaitLimits {
  /** Default 120 s (a few MB hashed under TCG on a loaded host take seconds), cut to the deadline. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 120_000;
const RESULT_LINE = /^pilot-initrd-sha256 ([0-9a-f]{64}) (\d+)$/m;
const ERROR_LINE = /^pilot-initrd-error: (.*)$/m;

/** One shell script for busybox ash (and any POSIX sh): each step says which one failed on stderr, and a failure removes the partial file. */
export function assembleInitrdCommand(layout: InitrdLayout): string {
  const q = shellWord;
  return [
    `base=${q(layout.basePath)} mods=${q(layout.modulesPath)} out=${q(layout.outputPath)} want=${layout.expectedSha256}`,
    `fail() { echo "pilot-initrd-error: $*" >&2; cd /; rm -f "$out.part"; exit 1; }`,
    `[ -f "$base" ] || fail "no base initramfs at $base"`,
    `[ -f "$mods" ] || fail "no modules archive at $mods"`,
    `cat "$base" "$mods" > "$out.part" || fail "writing $out.part"`,
    `bytes=$(stat -c %s "$out.part") && set -- $(sha256sum "$out.part") && [ -n "$1" ] || fail "hashing $out.part"`,
    `[ "$1" = "$want" ] || fail "$out.part has sha256 $1, not the host's $want"`,
    `mv -f "$out.part" "$out" || fail "renaming $out.part to $out"`,
    `rm -f "$base" "$mods"`,
    `echo "pilot-initrd-sha256 $1 $bytes"`,
  ].join('\n');
}

function assemblyFailure(layout: InitrdLayout, result: ExecResult): InfraError {
  const output = `${result.stdout}\n${result.stderr}`.trim().split('\n').filter(Boolean);
  const said = ERROR_LINE.exec(result.stderr)?.[1] ?? output.at(-1);
  return new InfraError('E_INITRD_ASSEMBLE', `assembling ${layout.outputPath} on the target failed with status ${result.code}${said ? `: ${said}` : ''}`, {
    evidence: output.slice(-20),
    hint: "the target's shell needs cat, stat and sha256sum; its output is the evidence",
  });
}

/** Runs the assembly on the target and returns the initrd's size and sha256 as the target computed them. */
export async function assembleInitrdOnTarget(target: Pick<Guest, 'exec'>, layout: InitrdLayout, limits: AssembleLimits = {}): Promise<AssembledInitrd> {
  const what = `assembling ${layout.outputPath} on the target`;
  const left = limits.deadline === undefined ? Infinity : limits.deadline - Date.now();
  const timeoutMs = Math.min(limits.timeoutMs ?? DEFAULT_TIMEOUT_MS, left);
  if (timeoutMs <= 0) throw new InfraError('E_TIMEOUT', `${what}: the deploy's deadline passed before it could start`);
  const started = performance.now();
  const cancel = linkedAbort(limits.signal);
  let result: ExecResult;
  try {
    // The exec's own timeout bounds the command; the race adds the machine's death, which a hung channel may not report.
    result = await race(target.exec(assembleInitrdCommand(layout), { timeoutMs, signal: cancel.signal }), what, { signal: limits.signal, dies: limits.dies });
  } catch (error) {
    cancel.abort(error);
    throw error;
  } finally {
    cancel.dispose();
  }
  const assembleMs = performance.now() - started;
  if (result.code !== 0) throw assemblyFailure(layout, result);
  const line = RESULT_LINE.exec(result.stdout);
  if (!line) {
    throw new InfraError('E_INITRD_ASSEMBLE', `${what} reported success but no 'pilot-initrd-sha256 <hash> <bytes>' line (took ${formatMs(assembleMs)})`, {
      evidence: `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-20),
    });
  }
  return { remotePath: layout.outputPath, sha256: line[1]!, bytes: Number(line[2]), assembleMs };
}
