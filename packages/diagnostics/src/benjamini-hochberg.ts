import { refuseArgument } from '@combat/base/internal';

/**
 * Benjamini-Hochberg adjusted p-values (the false discovery rate), as R's
 * `p.adjust(p, method = "BH")`: sorted from the largest, each p times m / its rank, capped at 1
 * and made monotone. NaN entries (features without a test result) stay NaN and are not counted
 * in m, as R does with NA. A feature is called significant at FDR q when its adjusted p is at
 * most q.
 *
 * @throws {@link InvalidArgumentError} when `p` is not an array of numbers from 0 to 1 (or NaN).
 *
 * @example
 * ```ts
 * Array.from(benjaminiHochberg([0.01, 0.04, 0.03, NaN, 0.5]), (q) => q.toFixed(4)); // ['0.0400', '0.0533', '0.0533', 'NaN', '0.5000']
 * benjaminiHochberg([0.2, 1.5]);
 * // throws InvalidArgumentError: benjaminiHochberg: p[1]: expected a number from 0 to 1, or NaN; received a number (1.5)
 * ```
 */
export function benjaminiHochberg(p: ArrayLike<number>): Float64Array {
  if (!(Array.isArray(p) || p instanceof Float64Array || p instanceof Float32Array)) refuseArgument('benjaminiHochberg: p', 'a Float64Array, Float32Array or array of numbers', p);
  const order: number[] = [];
  for (let i = 0; i < p.length; i++) {
    const value = p[i];
    if (typeof value !== 'number' || !(Number.isNaN(value) || (value >= 0 && value <= 1))) refuseArgument(`benjaminiHochberg: p[${i}]`, 'a number from 0 to 1, or NaN', value);
    if (!Number.isNaN(value)) order.push(i);
  }
  const m = order.length;
  order.sort((a, b) => (p[b] as number) - (p[a] as number));
  const adjusted = new Float64Array(p.length).fill(NaN);
  let smallest = 1;
  order.forEach((index, k) => {
    smallest = Math.min(smallest, (m / (m - k)) * (p[index] as number));
    adjusted[index] = smallest;
  });
  return adjusted;
}
