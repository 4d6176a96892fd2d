import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import type { DesignCoding } from './design.js';
import { ConfoundedDesignError } from './errors.js';

/**
 * The batch columns a sample of batch `b` has set to 1: its own indicator, and with a reference
 * batch `r` also column `r` (which is all ones, the intercept).
 *
 * @example
 * ```ts
 * batchColumns(2, 0); // [2, 0]
 * batchColumns(2, null); // [2]
 * ```
 */
export function batchColumns(b: number, ref: number | null): number[] {
  return ref === null || ref === b ? [b] : [b, ref];
}

/**
 * X'X (p x p, row-major) of the design from per-batch sums: sample counts, covariate sums
 * (B x q) and covariate cross products (B x q x q).
 *
 * @example
 * ```ts
 * const xtx = designCrossProduct(B, q, ref, acc.count, acc.covariateSum, acc.covariateCross);
 * ```
 */
export function designCrossProduct(
  batches: number,
  q: number,
  ref: number | null,
  count: ArrayLike<number>,
  covariateSum: ArrayLike<number>,
  covariateCross: ArrayLike<number>,
): Float64Array {
  const p = batches + q;
  const xtx = new Float64Array(p * p);
  for (let b = 0; b < batches; b++) {
    const ones = batchColumns(b, ref);
    for (const j of ones) {
      for (const l of ones) xtx[j * p + l] += count[b];
      for (let k = 0; k < q; k++) {
        const s = covariateSum[b * q + k];
        xtx[j * p + batches + k] += s;
        xtx[(batches + k) * p + j] += s;
      }
    }
    for (let k = 0; k < q; k++) {
      for (let l = 0; l < q; l++) xtx[(batches + k) * p + batches + l] += covariateCross[(b * q + k) * q + l];
    }
  }
  return xtx;
}

/**
 * Throws {@link ConfoundedDesignError} when the design is rank deficient, with sva's three
 * messages, naming the covariate columns involved.
 *
 * @example
 * ```ts
 * checkDesignRank(coding, designCrossProduct(...)); // returns quietly for a full-rank design
 * ```
 */
export function checkDesignRank(coding: DesignCoding, xtx: Float64Array): void {
  const p = coding.columns.length;
  const B = coding.batches.length;
  const q = p - B;
  const full = nullVector(xtx, p);
  if (full === null) return;
  const covariateColumns = coding.columns.slice(B);
  if (q === 1) {
    throw new ConfoundedDesignError(`the covariate is confounded with batch (column ${covariateColumns[0]}); remove it`, covariateColumns);
  }
  const covariateBlock = new Float64Array(q * q);
  for (let k = 0; k < q; k++) for (let l = 0; l < q; l++) covariateBlock[k * q + l] = xtx[(B + k) * p + B + l];
  const inCovariates = nullVector(covariateBlock, q);
  if (inCovariates !== null) {
    const columns = involved(inCovariates, covariateColumns);
    throw new ConfoundedDesignError(`the covariates are confounded with each other (columns ${columns.join(', ')}); remove one of them`, columns);
  }
  const columns = involved(full.slice(B), covariateColumns);
  throw new ConfoundedDesignError(`at least one covariate is confounded with batch (columns ${columns.join(', ')}); remove the confounded covariates`, columns);
}

/**
 * Whether a symmetric positive semi-definite p x p matrix (such as X'X) has full rank, by the
 * same scaled eigenvalue test as {@link checkDesignRank}, so the answer does not depend on rounding.
 *
 * @example
 * ```ts
 * isFullRank(new Float64Array([1, 1, 1, 1]), 2); // false
 * ```
 */
export function isFullRank(matrix: Float64Array, n: number): boolean {
  return nullVector(matrix, n) === null;
}

/**
 * A unit null vector of a symmetric positive semi-definite matrix, or null when it has full
 * rank. The matrix is scaled to unit diagonal first, so column scale does not matter.
 */
function nullVector(matrix: Float64Array, n: number): number[] | null {
  const scale = Array.from({ length: n }, (_, i) => {
    const d = matrix[i * n + i];
    return d > 0 ? 1 / Math.sqrt(d) : 0;
  });
  const zeroColumn = scale.findIndex((s) => s === 0);
  if (zeroColumn >= 0) return Array.from({ length: n }, (_, i) => (i === zeroColumn ? 1 : 0));
  const scaled = Matrix.zeros(n, n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) scaled.set(i, j, matrix[i * n + j] * scale[i] * scale[j]);
  const eigen = new EigenvalueDecomposition(scaled, { assumeSymmetric: true });
  const values = eigen.realEigenvalues;
  let smallest = 0;
  for (let i = 1; i < n; i++) if (values[i] < values[smallest]) smallest = i;
  const largest = Math.max(...values);
  if (values[smallest] > RANK_TOLERANCE * largest) return null;
  return eigen.eigenvectorMatrix.getColumn(smallest);
}

/** Relative eigenvalue of the scaled X'X under which the design counts as rank deficient. */
const RANK_TOLERANCE = 1e-12;

function involved(vector: number[], columns: readonly string[]): string[] {
  const largest = Math.max(...vector.map(Math.abs));
  return columns.filter((_, k) => Math.abs(vector[k]) > 1e-6 * largest);
}
