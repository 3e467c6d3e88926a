// A config fragment's wanted values, and the check that `make allnoconfig` with it gave every one of them:
// Kconfig silently drops a value whose dependencies are not met, so a fragment can lie without this.
import { InputError } from '../../core/errors.ts';

export interface FragmentOption {
  option: string;
  /** y, m, n (for `# CONFIG_X is not set`), or the literal value (quotes removed). */
  value: string;
  line: number;
}

const SET = /^(CONFIG_[A-Za-z0-9_]+)=(.*)$/;
const UNSET = /^# (CONFIG_[A-Za-z0-9_]+) is not set$/;

/** `CONFIG_X=v` and `# CONFIG_X is not set` lines → options, in order; other comments and blank lines are skipped. */
export function parseFragment(text: string, file = 'config fragment'): FragmentOption[] {
  const options: FragmentOption[] = [];
  const seen = new Map<string, number>();
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    const set = SET.exec(line);
    const unset = UNSET.exec(line);
    if (!set && !unset) {
      if (line && !line.startsWith('#')) throw new InputError('E_KERNEL_TREE_RECIPE', `${file}:${index + 1}: not a config line: ${line}`);
      return;
    }
    const option = (set ?? unset)![1]!;
    const earlier = seen.get(option);
    if (earlier !== undefined) throw new InputError('E_KERNEL_TREE_RECIPE', `${file}:${index + 1}: ${option} is set again (first at line ${earlier})`);
    seen.set(option, index + 1);
    options.push({ option, value: set ? set[2]!.replace(/^"(.*)"$/, '$1') : 'n', line: index + 1 });
  });
  return options;
}

/** A .config's values: `CONFIG_X=v` → v, `# CONFIG_X is not set` → n. */
export function parseDotConfig(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of text.split('\n')) {
    const set = SET.exec(line);
    if (set) values.set(set[1]!, set[2]!.replace(/^"(.*)"$/, '$1'));
    const unset = UNSET.exec(line);
    if (unset) values.set(unset[1]!, 'n');
  }
  return values;
}

export interface FragmentMismatch extends FragmentOption {
  /** What the .config has: a value, or 'absent' (Kconfig never offered the option: a dependency is off or it does not exist). */
  got: string;
}

/** The fragment's options the .config does not have as asked; an option asked as n may also be absent. */
export function fragmentMismatches(fragment: readonly FragmentOption[], config: Map<string, string>): FragmentMismatch[] {
  return fragment
    .map((wanted) => ({ ...wanted, got: config.get(wanted.option) ?? 'absent' }))
    .filter((m) => m.got !== m.value && !(m.value === 'n' && m.got === 'absent'));
}

/** One line per option that did not take, for the error's evidence. */
export function describeMismatches(mismatches: readonly FragmentMismatch[], file: string): string[] {
  return mismatches.map((m) => `${file}:${m.line}: ${m.option}=${m.value} gave ${m.got === 'absent' ? 'nothing (a dependency is off, or no such option)' : `${m.option}=${m.got}`}`);
}
