import { ShapeMismatchError, TooFewBatchesError, type DataMatrix } from '@combat/core';
import { indexBatches, type BatchIndex } from './batch-groups.js';
import { checkFiniteOrMissing, checkMatrix } from './matrix-check.js';

/** At most this many features enter {@link covarianceDifference}: wider data are taken at a stride. */
export const COVARIANCE_FEATURES = 100;

/**
 * One batch's features' correlation matrix against the pooled one: `difference[j][k]` is the
 * batch's correlation of features j and k minus the pooled within-batch correlation (null where
 * either is undefined: a feature constant in the batch, fewer than two samples with both values),
 * and its summaries over the finite off-diagonal entries: `frobenius`, the Frobenius norm of the
 * difference; `rms`, its root mean square per entry (comparable across numbers of features);
 * `scaled`, `rms` over the standard deviation the difference of one pair would have by chance
 * alone (normal data, uncorrelated features: `sqrt(1 / (samples - 1) - 1 / (all samples -
 * batches))`), so batches of different sizes compare (about 1 or below: no more than chance; null
 * for a batch of fewer than two samples). `pairs` counts the entries summed (j < k).
 *
 * @example
 * ```ts
 * const [siteA] = covarianceDifference(matrix, batch).batches;
 * const difference: BatchCovarianceDifference = siteA!;
 * [difference.batch, difference.samples, difference.pairs, difference.difference.length]; // ['siteA', 4, 3, 3]
 * ```
 */
export interface BatchCovarianceDifference {
  readonly batch: string;
  readonly samples: number;
  readonly pairs: number;
  readonly frobenius: number | null;
  readonly rms: number | null;
  readonly scaled: number | null;
  readonly difference: (number | null)[][];
}

/**
 * What {@link covarianceDifference} finds: the `features` it used (0-based indices: every
 * `stride`-th from the first, at most 100), their pooled within-batch correlation matrix, and per
 * batch (in order of first appearance) its correlation matrix against the pooled one.
 *
 * @example
 * ```ts
 * const result: CovarianceDifference = covarianceDifference(matrix, batch);
 * [result.statistic, result.stride, result.features, result.pooled[0]![0]]; // ['correlation', 1, [0, 1, 2], 1]
 * ```
 */
export interface CovarianceDifference {
  readonly statistic: 'correlation';
  readonly stride: number;
  readonly features: number[];
  readonly pooled: (number | null)[][];
  readonly batches: BatchCovarianceDifference[];
}

/**
 * How much each batch's covariance between features differs from the others' (what CovBat removes
 * and ComBat leaves: Chen et al. 2022), as correlations. Per batch, the Pearson correlation matrix
 * of its samples (each feature centred on the batch's mean, as R's `cor(x[batch == b, ])`); pooled,
 * the correlation matrix of all samples after each is centred on its batch's mean (R's `cor` of
 * `x - ave(x, batch)`), so differences of batch means do not enter it. Correlations, not
 * covariances: ComBat already aligns each feature's variance, features in other units weigh the
 * same, and CovBat harmonizes the principal components of standardized residuals. Missing values
 * (NaN) are left out pair by pair (R's `use = "pairwise.complete.obs"`: each pair's correlation
 * over the samples with both values; a batch's means over each feature's own values for the
 * centring). Above 100 features, every `stride`-th from the first is taken (the stride that keeps
 * at most 100), so the matrices stay small and the same features are compared in every state of a
 * run.
 *
 * @throws {@link InvalidArgumentError} when an argument is not of the right kind.
 * @throws {@link EmptyInputError} when the matrix has no sample or no feature.
 * @throws {@link ShapeMismatchError} when `batch` has not one label per sample.
 * @throws {@link InvalidValueError} when a value is infinite (`sample`, `feature` set).
 * @throws {@link TooFewBatchesError} when there are fewer than two batches.
 *
 * @example
 * ```ts
 * const before = covarianceDifference(matrix, batch);
 * const after = covarianceDifference(harmonized, batch);
 * before.batches.map((b) => b.frobenius!.toFixed(3)); // ['2.481', '1.454']
 * after.batches.map((b) => b.frobenius!.toFixed(3)); // ['2.452', '1.418']
 * after.batches[0]!.difference[0]![1]!.toFixed(3); // '1.242'
 * ```
 */
export function covarianceDifference(matrix: DataMatrix, batch: readonly string[]): CovarianceDifference {
  const { samples } = checkMatrix(matrix);
  checkFiniteOrMissing(matrix);
  const index = indexBatches(batch, 'covarianceDifference: batch');
  if (batch.length !== samples) throw new ShapeMismatchError(`batch has ${batch.length} labels; expected one per sample (${samples})`);
  if (index.labels.length < 2) throw new TooFewBatchesError(`expected at least 2 batches to compare; found ${index.labels.length}`);
  return correlationDifferences(matrix, index);
}

/** {@link covarianceDifference} on checked arguments. */
export function correlationDifferences(matrix: DataMatrix, index: BatchIndex): CovarianceDifference {
  const { data, samples: n, features: V } = matrix;
  const stride = Math.ceil(V / COVARIANCE_FEATURES);
  const features = Array.from({ length: Math.ceil(V / stride) }, (_, w) => w * stride);
  const W = features.length;
  const B = index.labels.length;
  // The features taken, sample-major, and centred on their batch's mean (over each feature's own values).
  const x = new Float64Array(n * W);
  for (let i = 0; i < n; i++) for (let w = 0; w < W; w++) x[i * W + w] = data[i * V + (features[w] as number)] as number;
  const sums = new Float64Array(B * W);
  const counts = new Float64Array(B * W);
  for (let i = 0; i < n; i++) {
    const b = index.codes[i] as number;
    for (let w = 0; w < W; w++) {
      const value = x[i * W + w] as number;
      if (Number.isNaN(value)) continue;
      sums[b * W + w] += value;
      counts[b * W + w]++;
    }
  }
  const centred = new Float64Array(n * W);
  for (let i = 0; i < n; i++) {
    const b = index.codes[i] as number;
    for (let w = 0; w < W; w++) centred[i * W + w] = (x[i * W + w] as number) - (sums[b * W + w] as number) / (counts[b * W + w] as number);
  }
  const everyone = [...Array(n).keys()];
  const pooled = correlations(centred, W, everyone);
  const batches = index.labels.map((label, b): BatchCovarianceDifference => {
    const rows = everyone.filter((i) => index.codes[i] === b);
    const own = correlations(x, W, rows);
    const difference = new Float64Array(W * W);
    let sum = 0;
    let pairs = 0;
    for (let j = 0; j < W; j++) {
      for (let k = 0; k < W; k++) {
        const d = (own[j * W + k] as number) - (pooled[j * W + k] as number);
        difference[j * W + k] = d;
        if (j < k && Number.isFinite(d)) {
          sum += d * d;
          pairs++;
        }
      }
    }
    const rms = pairs === 0 ? Number.NaN : Math.sqrt(sum / pairs);
    const chance = 1 / (rows.length - 1) - 1 / (n - B);
    return {
      batch: label,
      samples: rows.length,
      pairs,
      frobenius: value(pairs === 0 ? Number.NaN : Math.sqrt(2 * sum)),
      rms: value(rms),
      scaled: value(rows.length < 2 || !(chance > 0) ? Number.NaN : rms / Math.sqrt(chance)),
      difference: square(difference, W),
    };
  });
  return { statistic: 'correlation', stride, features, pooled: square(pooled, W), batches };
}

/**
 * The Pearson correlations of the columns of `x` (samples x W, sample-major) over `rows`, each pair
 * over the rows where both are present with its own means (R's `cor(..., use =
 * "pairwise.complete.obs")`); NaN where a pair has fewer than two rows or no spread.
 */
function correlations(x: Float64Array, W: number, rows: readonly number[]): Float64Array {
  const result = new Float64Array(W * W);
  const complete = rows.every((i) => x.subarray(i * W, (i + 1) * W).every((v) => !Number.isNaN(v)));
  // The rows each pair is summed over: all of them, or (written by presentRows) those where both are present.
  const both = Int32Array.from(rows);
  for (let j = 0; j < W; j++) {
    for (let k = j; k < W; k++) {
      const count = complete ? rows.length : presentRows(x, W, rows, j, k, both);
      let sj = 0;
      let sk = 0;
      for (let at = 0; at < count; at++) {
        const i = both[at] as number;
        sj += x[i * W + j] as number;
        sk += x[i * W + k] as number;
      }
      const [mj, mk] = [sj / count, sk / count];
      let sjj = 0;
      let skk = 0;
      let sjk = 0;
      for (let at = 0; at < count; at++) {
        const i = both[at] as number;
        const [da, dc] = [(x[i * W + j] as number) - mj, (x[i * W + k] as number) - mk];
        sjj += da * da;
        skk += dc * dc;
        sjk += da * dc;
      }
      const r = count < 2 || sjj === 0 || skk === 0 ? Number.NaN : j === k ? 1 : Math.max(-1, Math.min(1, sjk / Math.sqrt(sjj * skk)));
      result[j * W + k] = r;
      result[k * W + j] = r;
    }
  }
  return result;
}

/**
 * Writes into `both`, in order, the rows of `rows` where columns `j` and `k` of `x` (samples x W,
 * sample-major) are both present, and returns how many.
 */
function presentRows(x: Float64Array, W: number, rows: readonly number[], j: number, k: number, both: Int32Array): number {
  let count = 0;
  for (const i of rows) if (!(Number.isNaN(x[i * W + j] as number) || Number.isNaN(x[i * W + k] as number))) both[count++] = i;
  return count;
}

/** A number for JSON: null for NaN and infinities. */
function value(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/** A W x W row-major matrix as rows of JSON numbers. */
function square(matrix: Float64Array, W: number): (number | null)[][] {
  return Array.from({ length: W }, (_, j) => Array.from(matrix.subarray(j * W, (j + 1) * W), value));
}
