// Checks flag values (counts, durations, lists) and turns a bad one into an InputError that names the flag.
import { InputError } from '../core/errors.ts';
import { parseDuration } from '../core/duration.ts';

export function positiveInteger(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InputError('E_BAD_FLAG', `${flag}: expected a positive integer, got '${value}'`);
  return parsed;
}

export function nonNegativeInteger(flag: string, value: string): number {
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isInteger(parsed) || parsed < 0) throw new InputError('E_BAD_FLAG', `${flag}: expected a whole number, 0 or more, got '${value}'`);
  return parsed;
}

export function durationFlag(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = parseDuration(value);
  if (ms === undefined || ms <= 0) throw new InputError('E_BAD_FLAG', `${flag}: expected a duration like 90s or 5m, got '${value}'`);
  return ms;
}

/** Accepts `--profile a --profile b` and `--profile a,b`. */
export function listFlag(values: string[] | undefined): string[] {
  return (values ?? []).flatMap((value) => value.split(',')).map((value) => value.trim()).filter(Boolean);
}
