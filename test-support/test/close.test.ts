import { describe, expect, it } from 'vitest';
import { expectClose } from '../src/close.js';

describe('expectClose, the parity rule', () => {
  it('passes values within the tolerance, and NaN or an infinity where the same is expected', () => {
    expect(() => expectClose([1 + 1e-12, NaN, Infinity, 1e12 * (1 + 1e-10)], [1, NaN, Infinity, 1e12])).not.toThrow();
  });

  it.each([
    ['a finite value where an infinity is expected, beside a cell just off', [5, 1 + 1e-12], [Infinity, 1]],
    ['the opposite infinity', [Infinity, 2 + 1e-12], [-Infinity, 2]],
    ['an infinity where a finite value is expected', [Infinity], [3]],
    ['NaN where a number is expected', [NaN], [3]],
    ['a number where NaN is expected', [3], [NaN]],
    ['a value beyond the tolerance', [1 + 3e-9], [1]],
    ['another length', [1, 2], [1]],
  ])('fails on %s', (_, actual, expected) => {
    expect(() => expectClose(actual, expected)).toThrow();
  });
});
