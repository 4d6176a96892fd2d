import { InvalidArgumentError } from '@combat/base';
import { describeValue } from '@combat/base/internal';

/**
 * Argument checks done once at the public boundary (never in a per-element loop): each throws
 * {@link InvalidArgumentError} naming the function, the argument and what it was.
 */

/** Whether a value is a non-null object that is not an array (a record of named parts). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Whether a value is an array or a typed array (what `ArrayLike<number>` inputs may be). */
export function isArrayLike(value: unknown): value is ArrayLike<unknown> {
  return Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView));
}

/**
 * Checks that `value` is a record (see {@link isRecord}).
 *
 * @throws {@link InvalidArgumentError} naming `fn` and `name` when it is not.
 */
export function requireRecord(value: unknown, fn: string, name: string, expected: string): asserts value is Record<string, unknown> {
  if (!isRecord(value)) throw new InvalidArgumentError(`${fn}: ${name} is ${describeValue(value)}; expected ${expected}`);
}

/**
 * Checks an options object: absent or a record, each boolean option absent or a boolean,
 * `refBatch` absent, null or a string, `maxIterations` absent or a positive integer.
 *
 * @throws {@link InvalidArgumentError} naming `fn` and the option when one is not.
 */
export function checkOptions(options: unknown, fn: string): void {
  if (options === undefined) return;
  requireRecord(options, fn, 'options', 'an object { eb?, parametric?, meanOnly?, refBatch?, maxIterations? }');
  for (const key of ['eb', 'parametric', 'meanOnly']) {
    const value = options[key];
    if (value !== undefined && typeof value !== 'boolean') throw new InvalidArgumentError(`${fn}: options.${key} is ${describeValue(value)}; expected true or false`);
  }
  const { refBatch, maxIterations } = options;
  if (refBatch !== undefined && refBatch !== null && typeof refBatch !== 'string') {
    throw new InvalidArgumentError(`${fn}: options.refBatch is ${describeValue(refBatch)}; expected a batch label or null`);
  }
  if (maxIterations !== undefined && !(typeof maxIterations === 'number' && Number.isInteger(maxIterations) && maxIterations >= 1)) {
    throw new InvalidArgumentError(`${fn}: options.maxIterations is ${describeValue(maxIterations)}; expected a positive integer`);
  }
}
