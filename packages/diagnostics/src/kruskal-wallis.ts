import { checkValues, groupValues, indexBatches } from './batch-groups.js';
import { chiSquareUpper } from './distributions.js';
import { concatenate, rank } from './sample-summaries.js';
import type { ChiSquareTest } from './types.js';

/**
 * The Kruskal-Wallis rank sum test across batches (a difference in location that does not assume
 * normal data), as R's `kruskal.test(y, batch)`: H = 12 / (n (n + 1)) sum n_i (mean rank_i -
 * (n + 1) / 2)^2 over the ranks of the n finite values (ties share their mean rank), divided by
 * the tie correction 1 - sum (t^3 - t) / (n^3 - n), against chi-squared with k - 1 degrees of
 * freedom. NaN values are skipped; all values equal give H = NaN, as in R.
 *
 * @throws {@link InvalidArgumentError} when `values` is not an array of numbers or `batch` not one of strings.
 * @throws {@link ShapeMismatchError} when there is not one batch label per value.
 * @throws {@link InvalidValueError} when a value is infinite.
 * @throws {@link TooFewBatchesError} when fewer than two batches have a finite value.
 *
 * @example
 * ```ts
 * const result = kruskalWallis(thickness, batch);
 * result.statistic.toFixed(6); // '5.333333'
 * result.p.toPrecision(6); // '0.0209213'
 * kruskalWallis([2.6, NaN, 2.5], ['siteA', 'siteB', 'siteA']);
 * // throws TooFewBatchesError: expected finite values in at least 2 batches for the Kruskal-Wallis test; found 1 ("siteA")
 * ```
 */
export function kruskalWallis(values: ArrayLike<number>, batch: readonly string[]): ChiSquareTest {
  checkValues(values, batch, 'kruskalWallis');
  const { groups } = groupValues(values, 0, 1, indexBatches(batch, 'kruskalWallis: batch'), {}, 'Kruskal-Wallis test');
  return kruskalWallisOfGroups(groups);
}

/** The Kruskal-Wallis test of checked groups. */
export function kruskalWallisOfGroups(groups: readonly Float64Array[]): ChiSquareTest {
  const all = concatenate(groups);
  const n = all.length;
  const { ranks, ties } = rank(all);
  const centre = (n + 1) / 2;
  let sum = 0;
  let start = 0;
  for (const group of groups) {
    let ranksum = 0;
    for (let i = 0; i < group.length; i++) ranksum += ranks[start + i] as number;
    sum += group.length * (ranksum / group.length - centre) ** 2;
    start += group.length;
  }
  const df = groups.length - 1;
  const statistic = ((12 / (n * (n + 1))) * sum) / (1 - ties / (n * n * n - n));
  return { statistic, df, p: chiSquareUpper(statistic, df) };
}
