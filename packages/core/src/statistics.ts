import { InvalidArgumentError } from '@combat/base';
import { checkObject, describeValue, isRecord } from '@combat/base/internal';
import { BatchSums } from './batch-sums.js';
import { checkOnce } from './check-once.js';
import { checkCoding, requireArray, requireSortedLabels, type Fail } from './coding-checks.js';
import type { DesignCoding } from './design.js';

/**
 * Version of the {@link CombatStatistics} layout; bumped on any incompatible change.
 *
 * @example
 * ```ts
 * STATISTICS_VERSION; // 1
 * new CombatAccumulator(model.coding, 3).add(matrix, covariates).statistics().version; // 1
 * ```
 */
export const STATISTICS_VERSION = 1;

/**
 * The sufficient statistics of a ComBat fit (section 8 of docs/combat-spec.md): a plain value of
 * typed arrays, numbers and strings that survives `structuredClone` and `postMessage`, so workers
 * and sites can each accumulate their own and send them to be merged. Its size does not depend on
 * the number of samples. Batches come in code-point order of their labels.
 *
 * No observation is kept: per batch and feature the statistics hold the mean of the finite values
 * and sums around it, never a value itself. Sums over a single sample are that sample's values,
 * though: a batch of one sample is its own mean, and a categorical level held by one sample of a
 * batch gives that sample's continuous covariates (their sums over the level's samples). Share
 * statistics only of groups of two or more samples when the values must stay private. The
 * coding's continuous ranges cover the values added: the extremes, unless a wider range was
 * declared up front (see {@link declareDesign}), or none (a range declared null).
 *
 * @example
 * ```ts
 * const statistics: CombatStatistics = new CombatAccumulator(model.coding, 3).add(matrix, covariates).statistics();
 * statistics.batches.map((batch) => batch.batch); // ['siteA', 'siteB']
 * structuredClone(statistics).batches[1].mean; // statistics.batches[1].mean
 * ```
 */
export interface CombatStatistics {
  readonly version: typeof STATISTICS_VERSION;
  readonly features: number;
  readonly coding: DesignCoding;
  readonly batches: readonly BatchStatistics[];
}

/**
 * One batch's part of {@link CombatStatistics}, with q = `coding.columns.length` covariate
 * columns and V features: `samples`; the covariates' sums (q) and cross products (q x q,
 * row-major) over its samples; per feature the `mean` of its finite values (0 when none), the sum
 * of their deviations from it (`deviationSum`, 0 but for the rounding of the mean) and of their
 * `squares`; `covariateValueSum[k * V + v]`, the sum over finite cells of covariate k times the
 * deviation; and for each feature with missing cells
 * (`missingFeatures`, ascending) an entry of `missingSums` (1 + q + q x q values: how many cells
 * are missing, and the covariates' sums and cross products over those rows).
 *
 * @example
 * ```ts
 * const [siteA]: readonly BatchStatistics[] = new CombatAccumulator(model.coding, 3).add(blockA, covariatesA).statistics().batches;
 * siteA.samples; // 4
 * siteA.covariateSum; // Float64Array.of(2, 161)
 * ```
 */
export interface BatchStatistics {
  readonly batch: string;
  readonly samples: number;
  readonly covariateSum: Float64Array;
  readonly covariateCross: Float64Array;
  readonly mean: Float64Array;
  readonly deviationSum: Float64Array;
  readonly squares: Float64Array;
  readonly covariateValueSum: Float64Array;
  readonly missingFeatures: Int32Array;
  readonly missingSums: Float64Array;
}

/** A batch's building sums as a value: copies, or with `copy` false the sums' own arrays. */
export function packBatch(batch: string, sums: BatchSums, copy = true): BatchStatistics {
  const own = (array: Float64Array) => (copy ? array.slice() : array);
  const missingFeatures = Int32Array.from([...sums.missing.keys()].sort((a, b) => a - b));
  const stride = sums.missingStride;
  const missingSums = new Float64Array(missingFeatures.length * stride);
  missingFeatures.forEach((v, j) => missingSums.set(sums.missing.get(v) as Float64Array, j * stride));
  return {
    batch,
    samples: sums.samples,
    covariateSum: own(sums.covariateSum),
    covariateCross: own(sums.covariateCross),
    mean: own(sums.mean),
    deviationSum: own(sums.deviationSum),
    squares: own(sums.squares),
    covariateValueSum: own(sums.covariateValueSum),
    missingFeatures,
    missingSums,
  };
}

/** A batch's statistics as building sums (copies), the finite counts derived from the missing ones. */
export function unpackBatch(batch: BatchStatistics, q: number, features: number): BatchSums {
  const sums = new BatchSums(q, features);
  sums.samples = batch.samples;
  sums.covariateSum.set(batch.covariateSum);
  sums.covariateCross.set(batch.covariateCross);
  sums.mean.set(batch.mean);
  sums.deviationSum.set(batch.deviationSum);
  sums.squares.set(batch.squares);
  sums.covariateValueSum.set(batch.covariateValueSum);
  sums.finite.fill(batch.samples);
  const stride = sums.missingStride;
  batch.missingFeatures.forEach((v, j) => {
    const entry = batch.missingSums.slice(j * stride, (j + 1) * stride);
    sums.missing.set(v, entry);
    sums.finite[v] -= entry[0] as number;
  });
  return sums;
}

/**
 * A batch's sample count, covariate sums and cross products over the rows where a feature is
 * finite: the batch's own, less entry `j` of `missingSums` (the feature's, or undefined when none
 * of its cells is missing). Writes `sum` (q) and `cross` (q x q); returns the count.
 */
export function finiteDesignSums(batch: BatchStatistics, j: number | undefined, sum: Float64Array, cross: Float64Array): number {
  const q = sum.length;
  sum.set(batch.covariateSum);
  cross.set(batch.covariateCross);
  if (j === undefined) return batch.samples;
  const stride = 1 + q + q * q;
  const entry = batch.missingSums.subarray(j * stride, (j + 1) * stride);
  for (let k = 0; k < q; k++) sum[k] -= entry[1 + k] as number;
  for (let kl = 0; kl < q * q; kl++) cross[kl] -= entry[1 + q + kl] as number;
  return batch.samples - (entry[0] as number);
}

/**
 * Checks that a value is statistics as an accumulator makes them: the version, a positive
 * feature count, a coding as `checkCoding` requires, batches with labels in code-point order, and
 * per batch a positive integer sample count, Float64Arrays of their lengths, missing features
 * ascending within range with counts from 1 to the sample count. Sums may be infinite (values too
 * large for float64: the fit leaves those features unadjusted). Returns the value, typed.
 */
export function checkStatistics(value: unknown, path: string, fail: Fail): CombatStatistics {
  if (!isRecord(value)) return fail(`${path} is ${describeValue(value)}; expected statistics { version, features, coding, batches }`);
  if (value.version !== STATISTICS_VERSION) fail(`${path}.version is ${describeValue(value.version)}; expected ${STATISTICS_VERSION}`);
  const V = value.features;
  if (!(typeof V === 'number' && Number.isSafeInteger(V) && V >= 1)) return fail(`${path}.features is ${describeValue(V)}; expected a positive integer`);
  const coding = checkCoding(value.coding, `${path}.coding`, fail);
  const q = coding.columns.length;
  const batches = requireArray(value.batches, `${path}.batches`, fail);
  requireSortedLabels(
    batches.map((batch) => (isRecord(batch) ? batch.batch : batch)),
    `${path}.batches[].batch`,
    fail,
  );
  batches.forEach((batch, b) => checkBatch(batch as Record<string, unknown>, `${path}.batches[${b}]`, q, V, fail));
  return value as unknown as CombatStatistics;
}

function checkBatch(batch: Record<string, unknown>, at: string, q: number, V: number, fail: Fail): void {
  if (!isRecord(batch)) fail(`${at} is ${describeValue(batch)}; expected a batch's statistics`);
  const samples = batch.samples;
  if (!(typeof samples === 'number' && Number.isSafeInteger(samples) && samples >= 1)) fail(`${at}.samples is ${describeValue(samples)}; expected a positive integer`);
  const lengths: Record<string, number> = { covariateSum: q, covariateCross: q * q, mean: V, deviationSum: V, squares: V, covariateValueSum: q * V };
  for (const [name, length] of Object.entries(lengths)) {
    const array = batch[name];
    if (!(array instanceof Float64Array) || array.length !== length) fail(`${at}.${name} is ${describeValue(array)}; expected a Float64Array of length ${length}`);
  }
  const features = batch.missingFeatures;
  if (!(features instanceof Int32Array)) return fail(`${at}.missingFeatures is ${describeValue(features)}; expected an Int32Array`);
  features.forEach((v, j) => {
    if (v < 0 || v >= V || (j > 0 && v <= (features[j - 1] as number))) fail(`${at}.missingFeatures[${j}] is ${v}; expected ascending feature indices from 0 to ${V - 1}`);
  });
  const stride = 1 + q + q * q;
  const sums = batch.missingSums;
  if (!(sums instanceof Float64Array) || sums.length !== features.length * stride) {
    return fail(`${at}.missingSums is ${describeValue(sums)}; expected a Float64Array of length ${features.length * stride}`);
  }
  features.forEach((v, j) => {
    const count = sums[j * stride] as number;
    if (!(Number.isInteger(count) && count >= 1 && count <= (samples as number))) fail(`${at}.missingSums: feature ${v} has ${count} missing cells; expected 1 to ${samples}`);
  });
}

/**
 * Checks a statistics argument as {@link checkStatistics} does, once per object (statistics are
 * read-only values).
 *
 * @throws {@link InvalidArgumentError} naming `fn` and the field.
 */
export const requireStatistics: (value: unknown, fn: string) => asserts value is CombatStatistics = checkOnce((value, fn) => {
  checkObject(value, `${fn}: statistics`, 'statistics { version, features, coding, batches } from an accumulator');
  checkStatistics(value, 'statistics', (detail) => {
    throw new InvalidArgumentError(`${fn}: ${detail}`);
  });
});
