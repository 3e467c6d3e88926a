// Awaits a promise that must reject with a given error class, and hands the error back for closer checks.
import { expect } from 'vitest';
import { AssertionFailure } from '../../harness/core/errors.ts';

export async function rejectionOf<E extends Error>(promise: Promise<unknown>, type: abstract new (...args: never[]) => E): Promise<E> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(type);
  return error as E;
}

/** The step must fail as the kernel's fault (FAIL), not the harness's. */
export function failureOf(promise: Promise<unknown>): Promise<AssertionFailure> {
  return rejectionOf(promise, AssertionFailure);
}
