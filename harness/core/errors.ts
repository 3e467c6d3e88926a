// Every failure pilot reports carries a stable code, a class that decides FAIL vs ERROR, and its cause.
import type { ErrorCode, FailureClass } from './error-codes.ts';

export interface PilotErrorOptions {
  cause?: unknown;
  /** Lines quoted as evidence: dmesg lines, serial tail, stderr. */
  evidence?: string[];
  /** What the user can do about it. */
  hint?: string;
}

export abstract class PilotError extends Error {
  abstract readonly failureClass: FailureClass;
  readonly code: string;
  readonly evidence: string[];
  readonly hint: string | undefined;

  constructor(code: string, message: string, options: PilotErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.evidence = options.evidence ?? [];
    this.hint = options.hint;
  }
}

/** The kernel under test did not do what the scenario asserted. Reported as FAIL. */
export class AssertionFailure extends PilotError {
  override readonly name = 'AssertionFailure';
  readonly failureClass = 'fail' as const;
}

/** QEMU, SSH, the host or the harness broke. Reported as ERROR, never as a kernel failure. */
export class InfraError extends PilotError {
  override readonly name = 'InfraError';
  readonly failureClass = 'error' as const;
}

/** A scenario file, flag or artifact given by the user is wrong. Nothing boots. */
export class InputError extends PilotError {
  override readonly name = 'InputError';
  readonly failureClass = 'input' as const;
}

/** The run was interrupted (Ctrl-C, SIGTERM, an enclosing abort). */
export class AbortedError extends PilotError {
  override readonly name = 'AbortedError';
  readonly failureClass = 'aborted' as const;
  constructor(message = 'interrupted', options: PilotErrorOptions = {}) {
    super('E_ABORTED', message, options);
  }
}

export function isPilotError(value: unknown): value is PilotError {
  return value instanceof PilotError;
}

/** Wraps anything thrown into a PilotError so reports always have a code; unknown throws are harness bugs, so ERROR. */
export function toPilotError(value: unknown, code: ErrorCode = 'E_INTERNAL'): PilotError {
  if (value instanceof PilotError) return value;
  if (value instanceof Error) {
    if (value.name === 'AbortError') return new AbortedError(value.message, { cause: value });
    return new InfraError(code, value.message, { cause: value });
  }
  return new InfraError(code, String(value));
}

/** One line per cause, outermost first, for logs and reports. */
export function describeCauseChain(error: unknown): string[] {
  const lines: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 8; depth++) {
    if (current instanceof Error) {
      const code = current instanceof PilotError ? `${current.code}: ` : '';
      lines.push(`${code}${current.message}`);
      current = current.cause;
    } else {
      lines.push(String(current));
      break;
    }
  }
  return lines;
}
