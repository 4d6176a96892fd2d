import { checkString } from '@combat/base/internal';

/**
 * Compares two strings by Unicode code point, the order of numpy's `np.unique` and of Python's
 * `sorted` (JavaScript's default sort compares UTF-16 code units, which differs for characters
 * above U+FFFF).
 *
 * @throws {@link InvalidArgumentError} when `a` or `b` is not a string.
 */
export function compareCodePoints(a: string, b: string): number {
  checkString(a, 'compareCodePoints: a');
  checkString(b, 'compareCodePoints: b');
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return rankCodeUnit(x) - rankCodeUnit(y);
  }
  return a.length - b.length;
}

/** Maps a UTF-16 code unit so that surrogates sort after every other BMP unit. */
function rankCodeUnit(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000;
  if (unit >= 0xe000) return unit - 0x800;
  return unit;
}
