import { checkValues, groupValues, indexBatches, type FeatureGroups } from './batch-groups.js';
import { chiSquareUpper } from './distributions.js';
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
  const groups = groupValues(values, 0, 1, indexBatches(batch, 'kruskalWallis: batch'), {}, 'Kruskal-Wallis test');
  return kruskalWallisOfGroups(groups);
}

/**
 * The Kruskal-Wallis test of checked groups: the sorted groups merged, each run of t equal values
 * given the mean of its ranks (added to its groups' rank sums) and t^3 - t to the ties.
 */
export function kruskalWallisOfGroups(groups: FeatureGroups): ChiSquareTest {
  const { k, n, merged, tags } = groups;
  groups.merge(groups.sorted());
  const ranksums = groups.sums.fill(0);
  let ties = 0;
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && merged[end] === merged[start]) end++;
    const t = end - start;
    ties += t * t * t - t;
    const rank = (start + 1 + end) / 2;
    for (let r = start; r < end; r++) ranksums[tags[r] as number] += rank;
    start = end;
  }
  const centre = (n + 1) / 2;
  let sum = 0;
  for (let g = 0; g < k; g++) {
    const size = groups.size(g);
    sum += size * ((ranksums[g] as number) / size - centre) ** 2;
  }
  const df = k - 1;
  const statistic = ((12 / (n * (n + 1))) * sum) / (1 - ties / (n * n * n - n));
  return { statistic, df, p: chiSquareUpper(statistic, df) };
}
