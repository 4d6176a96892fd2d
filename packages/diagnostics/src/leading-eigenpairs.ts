/**
 * The leading eigenpairs of a symmetric positive semi-definite matrix (a centred Gram matrix) without
 * its full eigendecomposition: a block Krylov space from a seeded random start, orthonormalized in
 * full (classical Gram-Schmidt, twice), and the Rayleigh-Ritz pairs of the matrix on that space.
 * Each block costs one pass over the matrix per vector; the small projected matrix is decomposed by
 * ml-matrix's symmetric eigensolver. A result is taken only when every kept pair and the next one
 * have residuals ||A y - theta y|| of at most 1e-10 of the gap between the last kept eigenvalue and
 * the next (so the kept subspace is within 1e-10 of the exact one, by Davis and Kahan's sin theta
 * bound, and the eigenvalues within the square of that); otherwise, when the space reaches its bound,
 * when the residuals reach rounding's floor with the gap still too small (ties at the boundary), or
 * when their fall so far predicts far more vectors than the bound, the full decomposition is used
 * instead, so the result is that of the full one to rounding either way.
 */
import { seededRandom } from '@combat/base/internal';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';

/** Eigenvalues over this share of the largest are kept (as trainComponents keeps components). */
export const KEPT_SHARE = 1e-10;

/** Eigenpairs, largest value first: unit vectors, each with its entry of largest magnitude positive (see {@link signOfLargest}). */
export interface Eigenpairs {
  readonly values: Float64Array;
  readonly vectors: readonly Float64Array[];
  /** The sum of all eigenvalues (the positive parts for the full decomposition; the trace for the Krylov one). */
  readonly total: number;
  /** Which method gave them: the block Krylov one or, below its size or when it did not converge, the full one. */
  readonly method: 'krylov' | 'full';
}

/** Below this many rows the full decomposition is as fast (a few milliseconds) and used directly. */
export const KRYLOV_ROWS = 256;

/**
 * At most this many vectors in the Krylov space, and at most half the rows (its Rayleigh-Ritz step then
 * costs an eighth of the full decomposition), before giving up for the full decomposition.
 */
export const KRYLOV_BASIS = 1500;

/**
 * The `count` largest eigenpairs (fewer when the matrix has fewer rows) of the symmetric m x m matrix
 * `a` (row-major, positive semi-definite up to rounding): by the block Krylov method, or the full
 * decomposition when m is below {@link KRYLOV_ROWS} or the Krylov method does not converge within `basis` vectors.
 */
export function leadingEigenpairs(a: Float64Array, m: number, count: number, basis = KRYLOV_BASIS): Eigenpairs {
  const wanted = Math.min(count, m);
  return (m >= KRYLOV_ROWS ? krylovEigenpairs(a, m, wanted, basis) : undefined) ?? fullEigenpairs(a, m, wanted);
}

/** The `count` largest eigenpairs from ml-matrix's full symmetric eigendecomposition. */
export function fullEigenpairs(a: Float64Array, m: number, count: number): Eigenpairs {
  const matrix = new Matrix(m, m);
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) matrix.set(i, j, a[i * m + j] as number);
  const eigen = new EigenvalueDecomposition(matrix, { assumeSymmetric: true });
  const values = eigen.realEigenvalues;
  const order = values.map((_, k) => k).sort((x, y) => (values[y] as number) - (values[x] as number)).slice(0, Math.min(count, m));
  const vectors = eigen.eigenvectorMatrix;
  let total = 0;
  for (const value of values) total += Math.max(value, 0);
  return {
    values: Float64Array.from(order, (k) => values[k] as number),
    vectors: order.map((k) => signed(Float64Array.from({ length: m }, (_, j) => vectors.get(j, k)))),
    total,
    method: 'full',
  };
}

/**
 * The `count` largest eigenpairs by the block Krylov method, or undefined when they did not converge
 * within `basis` vectors or half the rows (see the file's comment for the test).
 */
export function krylovEigenpairs(a: Float64Array, m: number, count: number, basis = KRYLOV_BASIS): Eigenpairs | undefined {
  const block = Math.min(Math.max(8, count + 4), m);
  const limit = Math.min(basis, Math.floor(m / 2));
  let trace = 0;
  let frobenius = 0;
  for (let i = 0; i < m; i++) trace += a[i * m + i] as number;
  for (let c = 0; c < m * m; c++) frobenius += (a[c] as number) ** 2;
  frobenius = Math.sqrt(frobenius);
  if (!(frobenius > 0) || !Number.isFinite(frobenius)) return undefined;
  const q: Float64Array[] = [];
  const aq: Float64Array[] = [];
  const uniform = seededRandom(0x5eed);
  let next = Array.from({ length: block }, () => Float64Array.from({ length: m }, () => uniform() - 0.5));
  let check = 2 * block;
  let previous = { size: 0, residual: Infinity };
  for (;;) {
    // Orthonormalize the new block against the space and itself; a vector left with nothing new is dropped.
    const added: Float64Array[] = [];
    for (const vector of next) {
      if (q.length + added.length >= limit) break;
      const before = norm(vector);
      for (let pass = 0; pass < 2; pass++) {
        for (const basisVector of q) subtract(vector, basisVector);
        for (const basisVector of added) subtract(vector, basisVector);
      }
      const after = norm(vector);
      if (!(after > 1e-12 * Math.max(before, frobenius))) continue;
      for (let i = 0; i < m; i++) vector[i] = (vector[i] as number) / after;
      added.push(vector);
    }
    const products = multiply(a, m, added);
    q.push(...added);
    aq.push(...products);
    next = products.map((product) => product.slice());
    // The Rayleigh-Ritz step costs the cube of the space: taken each time the space has grown by a quarter.
    if (q.length < check && q.length < limit && added.length > 0) continue;
    check = Math.ceil(1.25 * q.length);
    const ritz = rayleighRitz(q, aq, m, count);
    if (ritz.converged) return { values: ritz.values, vectors: ritz.vectors, total: trace, method: 'krylov' };
    // Give up at the bound, when nothing new was added, or when the residuals are down to rounding (1e-13 of the largest value) and the gap is still too small.
    if (q.length >= limit || added.length === 0 || !(ritz.residual > 1e-13 * (ritz.values[0] as number))) return undefined;
    // And early, once the space holds ten blocks, when the residuals' fall since the last step (per
    // vector, taken as steady, though it speeds up) would reach the target only beyond three times the bound.
    const fall = (Math.log(previous.residual) - Math.log(ritz.residual)) / (q.length - previous.size);
    if (q.length >= 10 * block && !(q.length + (Math.log(ritz.residual) - Math.log(ritz.target)) / fall <= 3 * limit)) return undefined;
    previous = { size: q.length, residual: ritz.residual };
  }
}

/** The Ritz pairs on the space q (with aq = A q), the largest residual of the kept ones and the next, the residual wanted (`target`) and whether it is reached. */
function rayleighRitz(q: readonly Float64Array[], aq: readonly Float64Array[], m: number, count: number): { values: Float64Array; vectors: Float64Array[]; converged: boolean; residual: number; target: number } {
  const s = q.length;
  const h = new Matrix(s, s);
  for (let i = 0; i < s; i++) {
    for (let j = i; j < s; j++) {
      const value = (dot(q[i] as Float64Array, aq[j] as Float64Array) + dot(q[j] as Float64Array, aq[i] as Float64Array)) / 2;
      h.set(i, j, value);
      h.set(j, i, value);
    }
  }
  const eigen = new EigenvalueDecomposition(h, { assumeSymmetric: true });
  const theta = eigen.realEigenvalues;
  const order = theta.map((_, k) => k).sort((x, y) => (theta[y] as number) - (theta[x] as number));
  const w = eigen.eigenvectorMatrix;
  const largest = theta[order[0] as number] as number;
  // The pairs to check: the kept ones (count at most, above KEPT_SHARE of the largest) and the next.
  let kept = 0;
  while (kept < Math.min(count, s) && (theta[order[kept] as number] as number) > KEPT_SHARE * largest) kept++;
  const checked = Math.min(kept + 1, s);
  const values = Float64Array.from(order.slice(0, Math.min(count, s)), (k) => theta[k] as number);
  const vectors: Float64Array[] = [];
  let residual = 0;
  for (let c = 0; c < Math.max(values.length, checked); c++) {
    const k = order[c] as number;
    const y = new Float64Array(m);
    const r = new Float64Array(m);
    for (let j = 0; j < s; j++) {
      const weight = w.get(j, k);
      const qj = q[j] as Float64Array;
      const aqj = aq[j] as Float64Array;
      for (let i = 0; i < m; i++) {
        y[i] = (y[i] as number) + weight * (qj[i] as number);
        r[i] = (r[i] as number) + weight * (aqj[i] as number);
      }
    }
    const value = theta[k] as number;
    for (let i = 0; i < m; i++) r[i] = (r[i] as number) - value * (y[i] as number);
    if (c < checked) residual = Math.max(residual, norm(r));
    if (c < values.length) vectors.push(signed(y));
  }
  // The gap between the last kept value and the next (the next taken as 0 when the space holds no more).
  const last = kept > 0 ? (theta[order[kept - 1] as number] as number) : 0;
  const following = kept < s ? (theta[order[kept] as number] as number) : 0;
  const gap = last - following;
  const target = 1e-10 * gap;
  const converged = largest > 0 && kept > 0 && s > kept && residual <= target;
  return { values, vectors, converged, residual, target };
}

/** A times each vector (a row-major m x m), a row of a at a time against all of them. */
function multiply(a: Float64Array, m: number, vectors: readonly Float64Array[]): Float64Array[] {
  const products = vectors.map(() => new Float64Array(m));
  for (let i = 0; i < m; i++) {
    const row = a.subarray(i * m, (i + 1) * m);
    vectors.forEach((vector, v) => {
      (products[v] as Float64Array)[i] = dot(row, vector);
    });
  }
  return products;
}

function dot(x: Float64Array, y: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += (x[i] as number) * (y[i] as number);
  return sum;
}

function norm(x: Float64Array): number {
  return Math.sqrt(dot(x, x));
}

/** x minus its projection on the unit vector u, in place. */
function subtract(x: Float64Array, u: Float64Array): void {
  const projection = dot(x, u);
  for (let i = 0; i < x.length; i++) x[i] = (x[i] as number) - projection * (u[i] as number);
}

/** The vector with the sign that makes its entry of largest magnitude positive (see {@link signOfLargest}). */
function signed(vector: Float64Array): Float64Array {
  if (signOfLargest(vector) < 0) for (let i = 0; i < vector.length; i++) vector[i] = -(vector[i] as number);
  return vector;
}

/**
 * The sign of the entry of largest magnitude: of the first entry within 1e-9 (relative) of the
 * largest magnitude, so that entries equal but for rounding (mirror-image samples) give the same
 * sign however the rounding falls (1 for a zero vector).
 */
export function signOfLargest(values: ArrayLike<number>): 1 | -1 {
  let largest = 0;
  for (let i = 0; i < values.length; i++) largest = Math.max(largest, Math.abs(values[i] as number));
  for (let i = 0; i < values.length; i++) if (Math.abs(values[i] as number) >= largest * (1 - 1e-9)) return (values[i] as number) < 0 ? -1 : 1;
  return 1;
}
