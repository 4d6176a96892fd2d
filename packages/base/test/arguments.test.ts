import { describe, expect, test } from 'vitest';
import { InputReadError, InvalidArgumentError } from '@combat/base';
import {
  checkBoolean,
  checkBytes,
  checkFunction,
  checkInteger,
  checkNonEmptyString,
  checkObject,
  checkOneOf,
  checkOptionalString,
  checkOptions,
  checkString,
  checkStrings,
  isRecord,
} from '@combat/base/internal';

describe('the argument checks give the value back, or one message form', () => {
  const refused: [string, () => unknown][] = [
    ['f: x: expected an object; received null', () => checkObject(null, 'f: x')],
    ['options: expected an options object or undefined; received an array of 0', () => checkOptions([])],
    ['x: expected a string; received a number (3)', () => checkString(3, 'x')],
    ['x: expected a non-empty string; received a string ("")', () => checkNonEmptyString('', 'x')],
    ['x: expected a string; received null', () => checkOptionalString(null, 'x')],
    ['x[1]: expected a string; received a number (2)', () => checkStrings(['a', 2], 'x')],
    ['x: expected an array of strings; received a string ("a")', () => checkStrings('a', 'x')],
    ['x: expected true or false; received a string ("no")', () => checkBoolean('no', 'x')],
    ['x: expected a positive integer; received a number (0)', () => checkInteger(0, 'x', 1)],
    ['x: expected an integer from 0 to 9; received a number (12)', () => checkInteger(12, 'x', 0, 9)],
    ['x: expected an integer of at least 2; received a number (2.5)', () => checkInteger(2.5, 'x', 2)],
    ["x: expected ',' or '\\t'; received a string (\";\")", () => checkOneOf(';', 'x', [',', '\t'])],
    ["x: expected 'a', 'b' or 'c'; received undefined", () => checkOneOf(undefined, 'x', ['a', 'b', 'c'])],
    ['x: expected a Uint8Array; received an array of 1', () => checkBytes([1], 'x')],
    ['x: expected the bytes of a file; received undefined', () => checkBytes(undefined, 'x', 'the bytes of a file')],
    ['x: expected a function; received an object', () => checkFunction({}, 'x')],
  ];
  test.each(refused)('%s', (message, run) => {
    expect(run).toThrow(InvalidArgumentError);
    expect(run).toThrow(message);
  });

  test('a value of the right kind is given back', () => {
    const object = { a: 1 };
    const bytes = new Uint8Array(2);
    expect(checkObject(object, 'x')).toBe(object);
    expect(checkOptions(undefined)).toEqual({});
    expect(checkOptions(object)).toBe(object);
    expect(checkString('', 'x')).toBe('');
    expect(checkOptionalString(undefined, 'x')).toBeUndefined();
    expect(checkStrings(['a'], 'x')).toEqual(['a']);
    expect(checkBoolean(false, 'x')).toBe(false);
    expect(checkInteger(9, 'x', 0, 9)).toBe(9);
    expect(checkOneOf('\t', 'x', [',', '\t'])).toBe('\t');
    expect(checkBytes(bytes, 'x')).toBe(bytes);
    expect(typeof checkFunction(() => 1, 'x')).toBe('function');
    expect([isRecord({}), isRecord([]), isRecord(null)]).toEqual([true, false, false]);
  });
});

test('an input that cannot be read names its path and keeps the cause', () => {
  const cause = Object.assign(new Error("ENOENT: no such file or directory, open 'data.csv'"), { code: 'ENOENT' });
  const error = new InputReadError('data.csv', cause);
  expect(error.message).toBe("data.csv: cannot be read: ENOENT: no such file or directory, open 'data.csv'");
  expect(error).toMatchObject({ name: 'InputReadError', code: 'INPUT_READ', path: 'data.csv', cause });
  expect(Object.keys(error)).not.toContain('cause');
});
