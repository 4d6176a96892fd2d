/**
 * The argument checks of every `@combat/*` package, done once at a public boundary (never in a
 * per-element loop). Each throws an {@link InvalidArgumentError} with one message form,
 * `<what>: expected <expected>; received <value described>`, where `what` names the argument
 * (with the function when that helps, e.g. `readTable: path`) and the value is described by
 * {@link describeValue}.
 */
import { describeValue } from './describe.js';
import { InvalidArgumentError } from './errors.js';

/** Throws the InvalidArgumentError `<what>: expected <expected>; received <value described>`. */
export function refuseArgument(what: string, expected: string, value: unknown): never {
  throw new InvalidArgumentError(`${what}: expected ${expected}; received ${describeValue(value)}`);
}

/** Whether a value is a non-null object that is not an array (a record of named parts). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value when it is an object (not null, not an array), else an InvalidArgumentError expecting `expected`. */
export function checkObject(value: unknown, what: string, expected = 'an object'): Record<string, unknown> {
  return isRecord(value) ? value : refuseArgument(what, expected, value);
}

/** An options argument: `{}` when undefined, the value when it is an object, else an InvalidArgumentError. */
export function checkOptions(value: unknown, what = 'options', expected = 'an options object or undefined'): Record<string, unknown> {
  return value === undefined ? {} : checkObject(value, what, expected);
}

/** The value when it is a string, else an InvalidArgumentError. */
export function checkString(value: unknown, what: string): string {
  return typeof value === 'string' ? value : refuseArgument(what, 'a string', value);
}

/** The value when it is a string other than `''`, else an InvalidArgumentError. */
export function checkNonEmptyString(value: unknown, what: string): string {
  return typeof value === 'string' && value !== '' ? value : refuseArgument(what, 'a non-empty string', value);
}

/** The value when it is undefined or a string, else an InvalidArgumentError. */
export function checkOptionalString(value: unknown, what: string): string | undefined {
  return value === undefined ? undefined : checkString(value, what);
}

/** The value when it is an array of strings, else an InvalidArgumentError naming the first entry that is not one. */
export function checkStrings(value: unknown, what: string): readonly string[] {
  if (!Array.isArray(value)) return refuseArgument(what, 'an array of strings', value);
  value.forEach((entry, k) => checkString(entry, `${what}[${k}]`));
  return value as readonly string[];
}

/** The value when it is true or false, else an InvalidArgumentError. */
export function checkBoolean(value: unknown, what: string): boolean {
  return typeof value === 'boolean' ? value : refuseArgument(what, 'true or false', value);
}

/** The value when it is an integer from `min` (to `max`, when given), else an InvalidArgumentError. */
export function checkInteger(value: unknown, what: string, min: number, max?: number): number {
  const valid = typeof value === 'number' && Number.isSafeInteger(value) && value >= min && (max === undefined || value <= max);
  return valid ? value : refuseArgument(what, max === undefined ? (min === 1 ? 'a positive integer' : `an integer of at least ${min}`) : `an integer from ${min} to ${max}`, value);
}

/** The value when it is one of `allowed` (compared with `===`), else an InvalidArgumentError listing them. */
export function checkOneOf<T extends string | number>(value: unknown, what: string, allowed: readonly T[]): T {
  if (allowed.includes(value as T)) return value as T;
  const listed = allowed.map((option) => (typeof option === 'string' ? `'${JSON.stringify(option).slice(1, -1)}'` : String(option)));
  return refuseArgument(what, listed.length <= 2 ? listed.join(' or ') : `${listed.slice(0, -1).join(', ')} or ${listed.at(-1)}`, value);
}

/** The value when it is a Uint8Array (a Node Buffer is one), else an InvalidArgumentError expecting `expected`. */
export function checkBytes(value: unknown, what: string, expected = 'a Uint8Array'): Uint8Array {
  return value instanceof Uint8Array ? value : refuseArgument(what, expected, value);
}

/** The value when it is a function, else an InvalidArgumentError. */
export function checkFunction(value: unknown, what: string): (...args: never[]) => unknown {
  return typeof value === 'function' ? (value as (...args: never[]) => unknown) : refuseArgument(what, 'a function', value);
}
