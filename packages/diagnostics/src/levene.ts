import { anovaOfGroups } from './anova.js';
import { checkValues, groupValues, indexBatches, type FeatureGroups, type FeatureWhere } from './batch-groups.js';
import type { FTest } from './types.js';

/**
 * Levene's test of equal variances with median centring (the Brown-Forsythe test): the ANOVA of
 * the absolute deviations of each value from its batch's median, as `car::leveneTest(y, batch)`
 * computes it by default (`center = median`). Robust to non-normal data. NaN values are skipped.
 *
 * @throws {@link InvalidArgumentError} when `values` is not an array of numbers or `batch` not one of strings.
 * @throws {@link ShapeMismatchError} when there is not one batch label per value.
 * @throws {@link InvalidValueError} when a value is infinite.
 * @throws {@link TooFewBatchesError} when fewer than two batches have a finite value.
 * @throws {@link TooFewSamplesError} when a batch has fewer than two finite values.
 *
 * @example
 * ```ts
 * const result = levene(thickness, batch);
 * result.statistic.toFixed(6); // '1.000000'
 * result.p.toPrecision(6); // '0.355918'
 * levene([2.6, 2.5, 2.9], ['siteA', 'siteA', 'siteB']);
 * // throws TooFewSamplesError: batch "siteB" has 1 finite value; expected at least 2 in every batch for the Levene test
 * ```
 */
export function levene(values: ArrayLike<number>, batch: readonly string[]): FTest {
  checkValues(values, batch, 'levene');
  const groups = groupValues(values, 0, 1, indexBatches(batch, 'levene: batch'), {}, 'Levene test', 2);
  return leveneOfGroups(groups, {});
}

/** The Levene (median) test of checked groups. */
export function leveneOfGroups(groups: FeatureGroups, where: FeatureWhere): FTest {
  return anovaOfGroups(groups.deviations(), groups, where, 'Levene test');
}
