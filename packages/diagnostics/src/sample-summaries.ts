/** Means, medians, quantiles and five numbers of plain arrays, computed as R computes them. */

/**
 * The mean (of the values from `start` to `end`, not inclusive), with R's second pass (the mean of
 * the deviations from the first estimate added).
 */
export function mean(values: ArrayLike<number>, start = 0, end = values.length): number {
  const n = end - start;
  let sum = 0;
  for (let i = start; i < end; i++) sum += values[i] as number;
  const first = sum / n;
  let correction = 0;
  for (let i = start; i < end; i++) correction += (values[i] as number) - first;
  return first + correction / n;
}

/** The median: the middle value, or the mean of the two middle values. */
export function median(values: ArrayLike<number>): number {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  if (n === 0) return NaN;
  const half = n >> 1;
  return n % 2 === 1 ? (sorted[half] as number) : ((sorted[half - 1] as number) + (sorted[half] as number)) / 2;
}

/** R's `quantile(x, q)` (type 7) of ascending values: (1 - h) x[lo] + h x[hi] around 1 + (n - 1) q. */
export function quantile7(sorted: ArrayLike<number>, q: number): number {
  const index = (sorted.length - 1) * q;
  const low = Math.floor(index);
  const h = index - low;
  const lowValue = sorted[low] as number;
  if (h === 0) return lowValue;
  const highValue = sorted[low + 1] as number;
  return highValue === lowValue ? lowValue : (1 - h) * lowValue + h * highValue;
}

/**
 * Tukey's five numbers of ascending values, as R's `fivenum` (what `boxplot` draws): the
 * smallest, the lower hinge, the median, the upper hinge and the largest.
 */
export function fiveNumbers(sorted: ArrayLike<number>): [number, number, number, number, number] {
  const n = sorted.length;
  const n4 = Math.floor((n + 3) / 2) / 2;
  const at = (d: number) => 0.5 * ((sorted[Math.floor(d) - 1] as number) + (sorted[Math.ceil(d) - 1] as number));
  return [at(1), at(n4), at((n + 1) / 2), at(n + 1 - n4), at(n)];
}
