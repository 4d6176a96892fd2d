import { checkValues, groupValues, indexBatches, type FeatureGroups } from './batch-groups.js';
import { chiSquareUpper } from './distributions.js';
import { mean } from './sample-summaries.js';
import type { ChiSquareTest } from './types.js';

/**
 * Bartlett's test of equal variances across batches, as R's `bartlett.test(y, batch)`:
 * K^2 = (N log V - sum (n_i - 1) log v_i) / (1 + (sum 1/(n_i - 1) - 1/N) / (3 (k - 1))), with v_i
 * each batch's variance, N = n - k and V the pooled variance, against chi-squared with k - 1
 * degrees of freedom. Sensitive to non-normal data (prefer {@link levene} or
 * {@link flignerKilleen} then). A batch whose values are all equal has variance 0, and K^2 is then
 * Infinity with p = 0, as in R. NaN values are skipped.
 *
 * @throws {@link InvalidArgumentError} when `values` is not an array of numbers or `batch` not one of strings.
 * @throws {@link ShapeMismatchError} when there is not one batch label per value.
 * @throws {@link InvalidValueError} when a value is infinite.
 * @throws {@link TooFewBatchesError} when fewer than two batches have a finite value.
 * @throws {@link TooFewSamplesError} when a batch has fewer than two finite values.
 *
 * @example
 * ```ts
 * const result = bartlett(thickness, batch);
 * result.statistic.toFixed(6); // '0.273681'
 * result.p.toPrecision(6); // '0.600873'
 * ```
 */
export function bartlett(values: ArrayLike<number>, batch: readonly string[]): ChiSquareTest {
  checkValues(values, batch, 'bartlett');
  const groups = groupValues(values, 0, 1, indexBatches(batch, 'bartlett: batch'), {}, 'Bartlett test', 2);
  return bartlettOfGroups(groups);
}

/** The Bartlett test of checked groups (two values or more each). */
export function bartlettOfGroups(groups: FeatureGroups): ChiSquareTest {
  const { k, starts, values } = groups;
  let total = 0;
  let pooled = 0;
  let inverse = 0;
  for (let g = 0; g < k; g++) {
    const d = groups.size(g) - 1;
    total += d;
    pooled += d * variance(values, starts[g] as number, starts[g + 1] as number);
    inverse += 1 / d;
  }
  pooled /= total;
  // N log V - sum d_i log v_i, summed as sum d_i log(V / v_i) to keep its digits when it is small.
  let contrast = 0;
  for (let g = 0; g < k; g++) contrast += (groups.size(g) - 1) * Math.log(pooled / variance(values, starts[g] as number, starts[g + 1] as number));
  const df = k - 1;
  const statistic = contrast / (1 + (inverse - 1 / total) / (3 * df));
  return { statistic, df, p: chiSquareUpper(statistic, df) };
}

/** The sample variance of the values from `start` to `end` (not inclusive). */
function variance(values: Float64Array, start: number, end: number): number {
  const m = mean(values, start, end);
  let sum = 0;
  for (let i = start; i < end; i++) sum += ((values[i] as number) - m) ** 2;
  return sum / (end - start - 1);
}
