import quantile from '@stdlib/stats-base-dists-normal-quantile';
import { checkValues, groupValues, indexBatches, type FeatureGroups } from './batch-groups.js';
import { chiSquareUpper } from './distributions.js';
import { mean } from './sample-summaries.js';
import type { ChiSquareTest } from './types.js';

/**
 * The Fligner-Killeen (median) test of equal variances across batches, as R's
 * `fligner.test(y, batch)`: each value's absolute deviation from its batch's median is ranked
 * (ties share their mean rank), the ranks r become normal scores a = qnorm((1 + r / (n + 1)) / 2),
 * and X^2 = sum n_i (mean a_i - mean a)^2 / var(a) is compared with chi-squared with k - 1
 * degrees of freedom. The most robust of the scale tests to non-normal data and outliers. NaN
 * values are skipped.
 *
 * @throws {@link InvalidArgumentError} when `values` is not an array of numbers or `batch` not one of strings.
 * @throws {@link ShapeMismatchError} when there is not one batch label per value.
 * @throws {@link InvalidValueError} when a value is infinite.
 * @throws {@link TooFewBatchesError} when fewer than two batches have a finite value.
 * @throws {@link TooFewSamplesError} when a batch has fewer than two finite values.
 *
 * @example
 * ```ts
 * const result = flignerKilleen(thickness, batch);
 * result.statistic.toFixed(6); // '1.457502'
 * result.p.toPrecision(6); // '0.227328'
 * ```
 */
export function flignerKilleen(values: ArrayLike<number>, batch: readonly string[]): ChiSquareTest {
  checkValues(values, batch, 'flignerKilleen');
  const groups = groupValues(values, 0, 1, indexBatches(batch, 'flignerKilleen: batch'), {}, 'Fligner-Killeen test', 2);
  return flignerKilleenOfGroups(groups);
}

/**
 * The Fligner-Killeen test of checked groups: the groups' sorted absolute deviations merged, each
 * run of equal deviations given the normal score of the mean of its ranks.
 */
export function flignerKilleenOfGroups(groups: FeatureGroups): ChiSquareTest {
  const { k, n, merged, tags, scratch: scores } = groups;
  groups.merge(groups.sortedDeviations());
  const table = normalScores(groups, n);
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && merged[end] === merged[start]) end++;
    const score = table[start + 1 + end] as number; // of the rank (start + 1 + end) / 2
    for (let r = start; r < end; r++) scores[r] = score;
    start = end;
  }
  const centre = mean(scores, 0, n);
  let variance = 0;
  for (let i = 0; i < n; i++) variance += ((scores[i] as number) - centre) ** 2;
  variance /= n - 1;
  // Each group's mean score, with R's second pass.
  const sums = groups.sums.fill(0);
  const corrections = groups.corrections.fill(0);
  for (let i = 0; i < n; i++) sums[tags[i] as number] += scores[i] as number;
  for (let g = 0; g < k; g++) sums[g] = (sums[g] as number) / groups.size(g);
  for (let i = 0; i < n; i++) corrections[tags[i] as number] += (scores[i] as number) - (sums[tags[i] as number] as number);
  let sum = 0;
  for (let g = 0; g < k; g++) {
    const size = groups.size(g);
    const m = (sums[g] as number) + (corrections[g] as number) / size - centre;
    sum += size * m * m;
  }
  const df = k - 1;
  const statistic = sum / variance;
  return { statistic, df, p: chiSquareUpper(statistic, df) };
}

/** The normal scores qnorm((1 + r / (n + 1)) / 2) of the ranks r = 1, 1.5, ..., n of n values, at 2r. */
function normalScores(groups: FeatureGroups, n: number): Float64Array {
  let table = groups.tables.get(n);
  if (table === undefined) {
    table = new Float64Array(2 * n + 1);
    for (let twice = 2; twice <= 2 * n; twice++) table[twice] = quantile((1 + twice / 2 / (n + 1)) / 2, 0, 1);
    if (groups.tables.size >= 64) groups.tables.clear(); // many counts (missing cells): keep the memory bounded
    groups.tables.set(n, table);
  }
  return table;
}
