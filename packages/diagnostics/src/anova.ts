import { TooFewSamplesError } from '@combat/core';
import { checkValues, context, groupValues, indexBatches, named, type FeatureGroups, type FeatureWhere } from './batch-groups.js';
import { fUpper } from './distributions.js';
import { mean } from './sample-summaries.js';
import type { FTest } from './types.js';

/**
 * One-way analysis of variance of a feature's values across batches (a difference in location):
 * F = (between-batch sum of squares / (k - 1)) / (within-batch sum of squares / (n - k)) over the
 * n finite values in k batches, as R's `anova(lm(y ~ batch))` (or `oneway.test(y ~ batch,
 * var.equal = TRUE)`). NaN values are skipped, as `na.omit` would, and batches left without a
 * value are dropped.
 *
 * @throws {@link InvalidArgumentError} when `values` is not an array of numbers or `batch` not one of strings.
 * @throws {@link ShapeMismatchError} when there is not one batch label per value.
 * @throws {@link InvalidValueError} when a value is infinite.
 * @throws {@link TooFewBatchesError} when fewer than two batches have a finite value.
 * @throws {@link TooFewSamplesError} when there are no more finite values than batches.
 *
 * @example
 * ```ts
 * const result = anova(thickness, batch);
 * result.statistic.toFixed(6); // '15.048884'
 * result.p.toPrecision(6); // '0.00817742'
 * anova([2.6, 2.5], ['siteA', 'siteB']);
 * // throws TooFewSamplesError: expected more finite values than batches for the ANOVA; found 2 values in 2 batches
 * ```
 */
export function anova(values: ArrayLike<number>, batch: readonly string[]): FTest {
  checkValues(values, batch, 'anova');
  const groups = groupValues(values, 0, 1, indexBatches(batch, 'anova: batch'), {}, 'ANOVA');
  return anovaOfGroups(groups.values, groups, {}, 'ANOVA');
}

/**
 * The ANOVA F test of checked groups (at least two, none empty): of their values, or of values
 * laid out as theirs (Levene's deviations).
 */
export function anovaOfGroups(values: Float64Array, groups: FeatureGroups, where: FeatureWhere, test: string): FTest {
  const { k, n, starts } = groups;
  if (n <= k) throw new TooFewSamplesError(`${named(where)}expected more finite values than batches for the ${test}; found ${n} values in ${k} batches`, context(where));
  let grand = 0;
  for (let g = 0; g < k; g++) grand += groups.size(g) * mean(values, starts[g], starts[g + 1]);
  grand /= n;
  let between = 0;
  let within = 0;
  for (let g = 0; g < k; g++) {
    const start = starts[g] as number;
    const end = starts[g + 1] as number;
    const m = mean(values, start, end);
    between += (end - start) * (m - grand) ** 2;
    for (let i = start; i < end; i++) within += ((values[i] as number) - m) ** 2;
  }
  const df1 = k - 1;
  const df2 = n - k;
  const statistic = between / df1 / (within / df2);
  return { statistic, df1, df2, p: fUpper(statistic, df1, df2) };
}
