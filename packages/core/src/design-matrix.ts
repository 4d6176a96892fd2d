import { EigenvalueDecomposition, Matrix } from 'ml-matrix';

/**
 * A sample's covariate columns `c` that are not zero, for loops over features that skip the rest:
 * writes their values to `values` and where their per-feature rows start (`k * features`) to
 * `starts`, and returns how many there are.
 */
export function listNonZero(c: ArrayLike<number>, features: number, values: Float64Array, starts: Int32Array): number {
  let used = 0;
  for (let k = 0; k < c.length; k++) {
    if (c[k] === 0) continue;
    values[used] = c[k] as number;
    starts[used++] = k * features;
  }
  return used;
}

/**
 * The batch columns a sample of batch `b` has set to 1: its own indicator, and with a reference
 * batch `r` also column `r` (which is all ones, the intercept).
 */
function listBatchColumns(b: number, ref: number | null): number[] {
  return ref === null || ref === b ? [b] : [b, ref];
}

/**
 * X'X (p x p, row-major) of the design from per-batch sums: sample counts, covariate sums
 * (B x q) and covariate cross products (B x q x q).
 */
export function buildCrossProduct(
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
    const ones = listBatchColumns(b, ref);
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
 * Whether a symmetric positive semi-definite p x p matrix (such as X'X) has full rank, by a
 * scaled eigenvalue test (see {@link findNullSpace}), so the answer does not depend on column scale.
 */
export function isFullRank(matrix: Float64Array, n: number): boolean {
  return findNullSpace(matrix, n).length === 0;
}

/**
 * An orthonormal basis of the null space of a symmetric positive semi-definite n x n matrix,
 * after scaling it to unit diagonal (a zero column is its own null direction): the eigenvectors
 * whose eigenvalue is at most 1e-12 of the largest. Empty when the matrix has full rank.
 */
export function findNullSpace(matrix: Float64Array, n: number): number[][] {
  const scaled = Matrix.zeros(n, n);
  const scale = Array.from({ length: n }, (_, i) => {
    const d = matrix[i * n + i];
    return d > 0 ? 1 / Math.sqrt(d) : 0;
  });
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) scaled.set(i, j, matrix[i * n + j] * scale[i] * scale[j]);
  const eigen = new EigenvalueDecomposition(scaled, { assumeSymmetric: true });
  const values = eigen.realEigenvalues;
  const largest = Math.max(...values);
  const basis: number[][] = [];
  values.forEach((value, k) => {
    if (value <= RANK_TOLERANCE * largest) basis.push(eigen.eigenvectorMatrix.getColumn(k));
  });
  return basis;
}

/** Relative eigenvalue of the scaled X'X under which the design counts as rank deficient. */
const RANK_TOLERANCE = 1e-12;

/**
 * The columns that take part in some linear dependency: those where the projector onto the null
 * space has a diagonal entry above rounding. Unlike the entries of one null vector, this does not
 * depend on which basis (or which signs) the eigen solver returned, so it is the same on every run.
 */
export function findInvolvedColumns(basis: readonly number[][], n: number): number[] {
  const involved: number[] = [];
  for (let j = 0; j < n; j++) {
    let weight = 0;
    for (const vector of basis) weight += (vector[j] as number) ** 2;
    if (weight > INVOLVED) involved.push(j);
  }
  return involved;
}

/** Projector diagonal above which a column is part of a dependency (unit vectors: at most 1). */
const INVOLVED = 1e-10;
