// Parses a command's arguments against its declared flags; an unknown flag is named with the closest declared one.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { closest } from 'fastest-levenshtein';
import { InputError } from '../core/errors.ts';
import { allFlags, type CommandSpec, type FlagSpec, type FlagTable } from './command-spec.ts';

type ValueOf<S extends FlagSpec> = S extends { value: string } ? (S extends { repeatable: true } ? string[] : string) : boolean;

export type FlagValues<F extends FlagTable> = { [K in keyof F]?: ValueOf<F[K]> };

export interface CommandLine<F extends FlagTable> {
  /** -h or --help was given: the command prints its help and does nothing else. */
  help: boolean;
  values: FlagValues<F>;
  positionals: string[];
}

type Options = NonNullable<ParseArgsConfig['options']>;

function parseArgsOptions(spec: CommandSpec): Options {
  const options: Options = {};
  for (const [name, flag] of allFlags(spec)) {
    options[name] = { type: flag.value ? 'string' : 'boolean', ...(flag.alias ? { short: flag.alias } : {}), ...(flag.repeatable ? { multiple: true } : {}) };
  }
  return options;
}

export function parseCommandLine<F extends FlagTable>(spec: CommandSpec<F>, argv: string[]): CommandLine<F> {
  const options = parseArgsOptions(spec);
  rejectUnknownFlags(spec, argv, options);
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    const message = error instanceof Error ? error.message.replace(/^.*?: /, '') : String(error);
    throw new InputError('E_BAD_FLAG', `${message} (see pilot ${spec.name} --help)`);
  }
  const { help, ...values } = parsed.values;
  return { help: help === true, values: values as FlagValues<F>, positionals: parsed.positionals };
}

/** Tokens parsed leniently first, so the error can name the flag as typed and suggest the declared one it most resembles. */
function rejectUnknownFlags(spec: CommandSpec, argv: string[], options: Options): void {
  const { tokens } = parseArgs({ args: argv, options, allowPositionals: true, strict: false, tokens: true });
  for (const token of tokens) {
    if (token.kind !== 'option' || token.name in options) continue;
    const typed = token.rawName;
    const known = allFlags(spec).flatMap(([name, flag]) => [`--${name}`, ...(flag.alias ? [`-${flag.alias}`] : [])]);
    throw new InputError('E_UNKNOWN_FLAG', `unknown flag ${typed}; did you mean ${closest(typed, known)}? (see pilot ${spec.name} --help)`);
  }
}
