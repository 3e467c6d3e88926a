// Applies a recipe's patches with `patch -p1`, each tried with --dry-run first so a failing one changes nothing,
// and a failure names the patch, the file and the hunk that did not apply.
import { basename } from 'node:path';
import { InputError } from '../../core/errors.ts';
import { runProcess, type ProcessFailure } from '../../host/process.ts';

export interface PatchFailureDetail {
  /** `drivers/remoteproc/qcom_q6v5_pas.c: hunk #2 FAILED at 412`, or patch's own complaint when no hunk is named. */
  summary: string;
  lines: string[];
}

/** Reads patch(1)'s output for what went wrong: the failed hunks with their file, a missing file, a patch already applied. */
export function describePatchFailure(output: string): PatchFailureDetail {
  const lines = output.split('\n').map((line) => line.trimEnd()).filter(Boolean);
  const hunks: string[] = [];
  let file = '';
  for (const line of lines) {
    const patching = /^(?:checking|patching) file '?([^']+?)'?$/.exec(line);
    if (patching) file = patching[1]!;
    const hunk = /^Hunk #(\d+) FAILED at (\d+)/.exec(line);
    if (hunk) hunks.push(`${file || '?'}: hunk #${hunk[1]} FAILED at line ${hunk[2]}`);
  }
  const other =
    lines.find((line) => /can't find file to patch|No file to patch|Reversed \(or previously applied\) patch detected|Only garbage|malformed patch/i.test(line)) ??
    lines.at(-1) ??
    'patch failed without output';
  return { summary: hunks.length > 0 ? hunks.join('; ') : other, lines: lines.slice(-12) };
}

/** Applies each patch in order to tree; throws E_KERNEL_TREE_PATCH naming the first that does not apply. */
export async function applyPatches(tree: string, patches: readonly string[], signal?: AbortSignal, onPatch?: (patch: string) => void): Promise<void> {
  for (const patch of patches) {
    onPatch?.(patch);
    const fail = (failure: ProcessFailure) => {
      const detail = describePatchFailure(failure.output);
      return new InputError('E_KERNEL_TREE_PATCH', `patch ${basename(patch)} does not apply: ${detail.summary}`, {
        evidence: detail.lines,
        hint: `the patch is ${patch}; refresh it against the tree's source (patch -p1 --dry-run -i ${patch} in a fresh unpack)`,
      });
    };
    const args = ['-p1', '--batch', '--forward', '--no-backup-if-mismatch', '-d', tree, '-i', patch];
    await runProcess('patch', ['--dry-run', ...args], { code: 'E_KERNEL_TREE_PATCH', what: `patch --dry-run ${basename(patch)}`, signal, failure: fail });
    await runProcess('patch', args, { code: 'E_KERNEL_TREE_PATCH', what: `patch ${basename(patch)}`, signal, failure: fail });
  }
}
