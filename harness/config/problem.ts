// One problem in a configuration file at its file:line:col, and the one error that carries every problem of a load at once.
import { InputError } from '../core/errors.ts';

export interface ConfigProblem {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  /** Key path like steps[2].expect-dmesg.contains, or '' for the whole file and YAML syntax. */
  path: string;
  message: string;
}

/** `file:line:col: path: message`, the form editors and terminals turn into a link. */
export function formatProblem(problem: ConfigProblem): string {
  const where = `${problem.file}:${problem.line}:${problem.column}`;
  return problem.path ? `${where}: ${problem.path}: ${problem.message}` : `${where}: ${problem.message}`;
}

/** In the order they stand in the file. */
export function sortProblems(problems: ReadonlyArray<ConfigProblem>): ConfigProblem[] {
  return [...problems].sort((a, b) => a.line - b.line || a.column - b.column);
}

/** zod can report the same thing twice through union branches; one line each is enough. */
export function dedupeProblems(problems: ReadonlyArray<ConfigProblem>): ConfigProblem[] {
  const seen = new Set<string>();
  return problems.filter((problem) => {
    const key = formatProblem(problem);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** `<what> has N problems:` then one line per problem; scenario, known-issue and board files all throw a subclass of it. */
export class ConfigLoadError extends InputError {
  readonly problems: ConfigProblem[];
  constructor(code: string, what: string, problems: ConfigProblem[], options: { hint?: string } = {}) {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    super(code, [`${what} ${count}:`, ...problems.map(formatProblem)].join('\n'), options);
    this.problems = problems;
  }
}
