import { expect } from 'vitest';

/** An error class, abstract or not, whatever its constructor takes. */
export type ErrorClass<E extends Error> = abstract new (...args: never[]) => E;

/**
 * The error `run` throws, checked to be a `type` (an instance of it or of a subclass), for tests
 * that go on to look at its fields; the test fails when `run` throws nothing or something else.
 */
export function thrownBy<E extends Error>(run: () => unknown, type: ErrorClass<E>): E {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(type);
    return error as E;
  }
  return expect.fail(`expected a ${type.name}; nothing was thrown`);
}

/** {@link thrownBy} for a promise: the error it rejects with, checked to be a `type`. */
export async function rejectionBy<E extends Error>(promise: Promise<unknown>, type: ErrorClass<E>): Promise<E> {
  const outcome = await promise.then(
    () => ({ rejected: false as const }),
    (error: unknown) => ({ rejected: true as const, error }),
  );
  if (!outcome.rejected) return expect.fail(`expected a ${type.name}; the promise resolved`);
  expect(outcome.error).toBeInstanceOf(type);
  return outcome.error as E;
}
