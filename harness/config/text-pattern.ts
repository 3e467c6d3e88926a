// Scenario text patterns. `matches` entries are regexes and `contains` entries literal text; every other pattern
// (absent, in-order, count) matches a line that contains it literally OR matches it as a regex, because people
// write both "kvm [1]: VHE" and "Xen [0-9.]+ support found" there, and either reading alone would let an `absent`
// pass without looking. /source/flags means a regex only, with flags.

/** Flags a scenario may put after /…/; g and y are left out because they make RegExp.test stateful. */
const SLASH_REGEX = /^\/(.+)\/([imsu]*)$/s;

export interface TextMatcher {
  /** The pattern as written in the scenario, for messages. */
  readonly written: string;
  test(text: string): boolean;
}

/** Splits "/source/flags" into its parts, or undefined for literal text. */
export function parseSlashRegex(pattern: string): { source: string; flags: string } | undefined {
  const found = SLASH_REGEX.exec(pattern);
  return found ? { source: found[1]!, flags: found[2]! } : undefined;
}

/** Why `source` is not a valid JavaScript regex, or undefined when it is. */
export function regexProblem(source: string, flags = ''): string | undefined {
  try {
    new RegExp(source, flags);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** Why a pattern is invalid, or undefined; only the /…/ form must be a valid regex, other text falls back to literal. */
export function textPatternProblem(pattern: string): string | undefined {
  const regex = parseSlashRegex(pattern);
  return regex ? regexProblem(regex.source, regex.flags) : undefined;
}

export function regexMatcher(source: string, flags = ''): TextMatcher {
  const regex = new RegExp(source, flags);
  return { written: source, test: (text) => regex.test(text) };
}

/** /…/flags matches as a regex only; other text matches as a substring or as a regex (when it is a valid one). */
export function textPatternMatcher(pattern: string): TextMatcher {
  const slash = parseSlashRegex(pattern);
  if (slash) {
    const compiled = new RegExp(slash.source, slash.flags);
    return { written: pattern, test: (text) => compiled.test(text) };
  }
  const compiled = regexProblem(pattern) === undefined ? new RegExp(pattern) : undefined;
  return { written: pattern, test: (text) => text.includes(pattern) || (compiled?.test(text) ?? false) };
}

export function literalMatcher(text: string): TextMatcher {
  return { written: text, test: (line) => line.includes(text) };
}
