import quantile from '@stdlib/stats-base-dists-normal-quantile';
import { checkValues, groupValues, indexBatches } from './batch-groups.js';
import { chiSquareUpper } from './distributions.js';
import { concatenate, mean, median, rank } from './sample-summaries.js';
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
  const { groups } = groupValues(values, 0, 1, indexBatches(batch, 'flignerKilleen: batch'), {}, 'Fligner-Killeen test', 2);
  return flignerKilleenOfGroups(groups);
}

/** The Fligner-Killeen test of checked groups. */
export function flignerKilleenOfGroups(groups: readonly Float64Array[]): ChiSquareTest {
  const deviations = concatenate(
    groups.map((group) => {
      const centre = median(group);
      return group.map((x) => Math.abs(x - centre));
    }),
  );
  const n = deviations.length;
  const { ranks } = rank(deviations);
  const scores = ranks.map((r) => quantile((1 + r / (n + 1)) / 2, 0, 1));
  const centre = mean(scores);
  let variance = 0;
  for (let i = 0; i < n; i++) variance += ((scores[i] as number) - centre) ** 2;
  variance /= n - 1;
  let sum = 0;
  let start = 0;
  for (const group of groups) {
    const m = mean(scores.subarray(start, start + group.length)) - centre;
    sum += group.length * m * m;
    start += group.length;
  }
  const df = groups.length - 1;
  const statistic = sum / variance;
  return { statistic, df, p: chiSquareUpper(statistic, df) };
}
