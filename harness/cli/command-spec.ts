// How a command declares itself once: its summary, operands and flags, from which parsing, help and the README's table all come.

export interface FlagSpec {
  /** One letter, given after a single dash. */
  alias?: string;
  /** The value's name in help ('N', 'FILE'); a flag without one is a switch. */
  value?: string;
  /** One sentence or two; a line break starts an indented continuation line in help. */
  description: string;
  /** What applies when the flag is absent, as help says it. */
  default?: string;
  /** May be given more than once: its value is the list of every occurrence. */
  repeatable?: boolean;
}

export type FlagTable = Readonly<Record<string, FlagSpec>>;

export interface CommandSpec<F extends FlagTable = FlagTable> {
  name: string;
  /** One line: what the command does, in `pilot --help` and the README. */
  summary: string;
  /** What follows the command name besides options, as the usage line shows it: `[files or dirs…]`. */
  operands?: string;
  /** Paragraphs between the usage line and the options. */
  about?: string;
  /** In the order help lists them; `--help` is added to every command. */
  flags: F;
  /** Paragraphs after the options: exit codes, notes. */
  epilogue?: string;
}

/** Keeps the flag names and shapes as literal types, so a command's parsed values are typed from its declaration. */
export function defineCommand<const F extends FlagTable>(spec: CommandSpec<F>): CommandSpec<F> {
  return spec;
}

/** Every command answers -h and --help; declared here so help lists it like any other flag. */
export const HELP_FLAG: FlagSpec = { alias: 'h', description: 'print this help' };

/** The declared flags and --help, in help order. */
export function allFlags(spec: CommandSpec): Array<[string, FlagSpec]> {
  return [...Object.entries(spec.flags), ['help', HELP_FLAG]];
}

/** `-j, --jobs N` as help and the README write a flag. */
export function flagSignature(name: string, flag: FlagSpec): string {
  return `${flag.alias ? `-${flag.alias}, ` : ''}--${name}${flag.value ? ` ${flag.value}` : ''}`;
}
