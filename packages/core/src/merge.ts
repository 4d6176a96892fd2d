import { compareCodePoints } from './code-point-order.js';
import { IncompatibleStatisticsError } from './errors.js';
import { sortLevels } from './levels.js';
import { mapColumns, recodeBatch, uniteCodings } from './recode.js';
import { STATISTICS_VERSION, packBatch, requireStatistics, unpackBatch, type BatchStatistics, type CombatStatistics } from './statistics.js';

/**
 * The statistics of the samples of both `a` and `b`: what one accumulator given all of them would
 * hold, to rounding. Pure (neither argument changes), associative and commutative to rounding, so
 * statistics from workers or sites merge in any grouping and order. (Codings that list the same
 * covariates in another order merge too; the result lists them in `a`'s order, so the fit is the
 * same but the order of its covariate columns follows the first argument.) A batch in both is merged
 * (its means and sums combined pairwise); codings that differ in their categorical levels (a site
 * without one of the levels) are recoded onto the union of the levels first, the reference level
 * of each being the first of the union in code-point order, so the fit equals the pooled one.
 *
 * @throws {@link InvalidArgumentError} when `a` or `b` is not statistics as an accumulator makes them.
 * @throws {@link IncompatibleStatisticsError} when they have another feature count or other
 * covariates (by name and kind).
 * @throws {@link CovariateNameError} when two labels of the union differ only in spaces or Unicode form.
 *
 * @example
 * ```ts
 * // siteA saw only women, siteB both sexes: each coded its own covariates.
 * const siteA = new CombatAccumulator(codeDesign({ ...covariatesA, categorical: { sex: ['F', 'F', 'F', 'F'] } }), 3)
 *   .add(blockA, { ...covariatesA, categorical: { sex: ['F', 'F', 'F', 'F'] } }).statistics();
 * const siteB = new CombatAccumulator(codeDesign(covariatesB), 3).add(blockB, covariatesB).statistics();
 * const merged = mergeStatistics(siteA, siteB);
 * merged.coding.columns; // ['sex:M', 'age']
 * merged.batches.map((batch) => batch.batch); // ['siteA', 'siteB']
 * mergeStatistics(siteA, new CombatAccumulator(model.coding, 2).add({ data: Float64Array.of(1, 2), samples: 1, features: 2 }, { batch: ['siteC'], categorical: { sex: ['F'] }, continuous: { age: [40] } }).statistics());
 * // throws IncompatibleStatisticsError: cannot merge statistics of 2 features with statistics of 3
 * ```
 */
export function mergeStatistics(a: CombatStatistics, b: CombatStatistics): CombatStatistics {
  requireStatistics(a, 'mergeStatistics');
  requireStatistics(b, 'mergeStatistics');
  const V = a.features;
  if (b.features !== V) throw new IncompatibleStatisticsError(`cannot merge statistics of ${b.features} features with statistics of ${V}`);
  const coding = uniteCodings(a.coding, b.coding);
  const q = coding.columns.length;
  const recode = (statistics: CombatStatistics): Map<string, BatchStatistics> => {
    const map = mapColumns(statistics.coding, coding);
    const qFrom = statistics.coding.columns.length;
    return new Map(statistics.batches.map((batch) => [batch.batch, map === null ? batch : recodeBatch(batch, map, qFrom, V)]));
  };
  const [mine, theirs] = [recode(a), recode(b)];
  const labels = sortLevels([...mine.keys(), ...theirs.keys()], 'batch').sort(compareCodePoints);
  const batches = labels.map((label): BatchStatistics => {
    const x = mine.get(label);
    const y = theirs.get(label);
    if (x === undefined || y === undefined) return copyBatch((x ?? y) as BatchStatistics);
    const sums = unpackBatch(x, q, V);
    sums.merge(unpackBatch(y, q, V));
    return packBatch(label, sums);
  });
  return { version: STATISTICS_VERSION, features: V, coding, batches };
}

function copyBatch(batch: BatchStatistics): BatchStatistics {
  return Object.fromEntries(Object.entries(batch).map(([key, value]) => [key, ArrayBuffer.isView(value) ? (value as Float64Array).slice() : value])) as unknown as BatchStatistics;
}
