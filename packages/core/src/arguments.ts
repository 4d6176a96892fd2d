import { InvalidArgumentError } from './errors.js';

/**
 * Argument checks done once at the public boundary (never in a per-element loop): each throws
 * {@link InvalidArgumentError} naming the function, the argument and what it was.
 */

/**
 * A short description of any value for messages: strings quoted, numbers as written, arrays and
 * typed arrays with their length, other objects by kind.
 *
 * @example
 * ```ts
 * describeValue(null); // 'null'
 * describeValue(new Float64Array(3)); // 'a Float64Array of length 3'
 * ```
 */
export function describeValue(value: unknown): string {
  if (value === undefined || value === null || typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name} of length ${(value as unknown as ArrayLike<unknown>).length ?? value.byteLength}`;
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

/**
 * Whether a value is a non-null object that is not an array (a record of named parts).
 *
 * @example
 * ```ts
 * isRecord({ batch: [] }); // true
 * isRecord([1]); // false
 * ```
 */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Whether a value is an array or a typed array (what `ArrayLike<number>` inputs may be).
 *
 * @example
 * ```ts
 * isArrayLike(Float64Array.of(1)); // true
 * isArrayLike('12'); // false
 * ```
 */
export function isArrayLike(value: unknown): value is ArrayLike<unknown> {
  return Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView));
}

/**
 * Throws unless `value` is a record (see {@link isRecord}).
 *
 * @example
 * ```ts
 * requireRecord(covariates, 'harmonize', 'covariates', 'an object { batch, categorical?, continuous? }');
 * ```
 */
export function requireRecord(value: unknown, fn: string, name: string, expected: string): asserts value is Record<string, unknown> {
  if (!isRecord(value)) throw new InvalidArgumentError(`${fn}: ${name} is ${describeValue(value)}; expected ${expected}`);
}

/**
 * Checks an options object: absent or a record, each boolean option absent or a boolean,
 * `refBatch` absent, null or a string, `maxIterations` absent or a positive integer.
 *
 * @example
 * ```ts
 * checkOptions({ eb: false, refBatch: 'siteA' }, 'harmonize');
 * ```
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
