/** Means, medians and ranks of plain arrays, computed as R computes them, and groups joined. */

/** The mean, with R's second pass (the mean of the deviations from the first estimate added). */
export function mean(values: ArrayLike<number>): number {
  const n = values.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i] as number;
  const first = sum / n;
  let correction = 0;
  for (let i = 0; i < n; i++) correction += (values[i] as number) - first;
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

/**
 * The ranks of values (1-based, ties given the mean of their ranks, as R's `rank`), and the sum of
 * t^3 - t over the groups of t tied values (the Kruskal-Wallis tie correction's numerator). The
 * values are sorted as a typed array (natively), and each value's rank found by binary search for
 * its run of equal values.
 */
export function rank(values: ArrayLike<number>): { ranks: Float64Array; ties: number } {
  const n = values.length;
  const sorted = new Float64Array(n);
  sorted.set(values);
  sorted.sort();
  let ties = 0;
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && sorted[end] === sorted[start]) end++;
    const t = end - start;
    ties += t * t * t - t;
    start = end;
  }
  const ranks = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x = values[i] as number;
    // The run of x in sorted: [first, last).
    const first = lowerBound(sorted, x, false);
    const last = lowerBound(sorted, x, true);
    ranks[i] = (first + 1 + last) / 2;
  }
  return { ranks, ties };
}

/** The first index whose value is >= x (or > x, when `past`). */
function lowerBound(sorted: Float64Array, x: number, past: boolean): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const value = sorted[middle] as number;
    if (value < x || (past && value === x)) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** The groups' values one after another. */
export function concatenate(groups: readonly Float64Array[]): Float64Array {
  let n = 0;
  for (const group of groups) n += group.length;
  const all = new Float64Array(n);
  let start = 0;
  for (const group of groups) {
    all.set(group, start);
    start += group.length;
  }
  return all;
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
