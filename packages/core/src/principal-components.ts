import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { combineRows } from './covbat-products.js';
import { forEachTileInFours, type TileKernel } from './tiles.js';

/**
 * Principal components of a centred, sample-major n x V matrix `z` (prcomp's, up to the sign of
 * each component): the variances of all min(n, V) components, largest first, and the loadings
 * (unit vectors over the features) of the first `keep`. Taken from the symmetric eigenvalue
 * decomposition of ml-matrix on the smaller of the two cross-product matrices: the V x V
 * covariance z'z / (n - 1) when there are no more features than samples; otherwise the n x n Gram
 * matrix zz' / (n - 1), whose eigenvector u of eigenvalue l gives the loading z'u / |z'u|.
 * Eigenvalues below zero (rounding) count as zero. The Gram matrix and the loadings z'u are summed
 * in tiles of features, several values at once, each in the order of the plain loop (see tiles.ts;
 * the loadings are covbat-products.ts' combineRows).
 */
export function principalComponents(z: Float64Array, n: number, V: number, keep: (variances: Float64Array) => number): { variances: Float64Array; loadings: Float64Array; components: number } {
  const wide = V > n;
  const m = wide ? n : V;
  const sums = wide ? gramSums(z, n, V) : null;
  const cross = new Matrix(m, m);
  for (let a = 0; a < m; a++) {
    for (let b = a; b < m; b++) {
      let sum = 0;
      if (sums !== null) sum = sums[a * n + b] as number;
      else for (let i = 0; i < n; i++) sum += (z[i * V + a] as number) * (z[i * V + b] as number);
      sum /= n - 1;
      cross.set(a, b, sum);
      cross.set(b, a, sum);
    }
  }
  const decomposition = new EigenvalueDecomposition(cross, { assumeSymmetric: true });
  const values = decomposition.realEigenvalues;
  const vectors = decomposition.eigenvectorMatrix;
  const order = Array.from(values.keys()).sort((a, b) => (values[b] as number) - (values[a] as number));
  const variances = Float64Array.from(order, (k) => Math.max(0, values[k] as number));
  const components = keep(variances);
  const loadings = new Float64Array(components * V);
  if (!wide) {
    for (let k = 0; k < components; k++) for (let v = 0; v < V; v++) loadings[k * V + v] = vectors.get(v, order[k] as number);
    return { variances, loadings, components };
  }
  // Each loading z'u summed over the samples in order, in tiles of features: a tile of z stays in cache for every component.
  const weights = new Float64Array(components * n);
  for (let k = 0; k < components; k++) for (let i = 0; i < n; i++) weights[k * n + i] = vectors.get(i, order[k] as number);
  combineRows(weights, components, n, z, V, loadings);
  for (let k = 0; k < components; k++) {
    const row = loadings.subarray(k * V, (k + 1) * V);
    let norm = 0;
    for (let v = 0; v < V; v++) norm += (row[v] as number) ** 2;
    norm = Math.sqrt(norm);
    if (norm > 0) for (let v = 0; v < V; v++) row[v] = (row[v] as number) / norm;
  }
  return { variances, loadings, components };
}

/**
 * The Gram sums of the samples (rows of `z`): `sums[a * n + b]` (b >= a) = sum over v, in order, of
 * `z[a * V + v] * z[b * V + v]`, in tiles of features so that a tile of every sample stays in cache.
 */
function gramSums(z: Float64Array, n: number, V: number): Float64Array {
  const sums = new Float64Array(n * n);
  forEachTileInFours({ z, n, V, sums }, V, n, n, GRAM);
  return sums;
}

/** {@link gramSums} over a tile, the upper triangle, four samples b at once: four independent sums, each in order. */
const GRAM: TileKernel<{ z: Float64Array; n: number; V: number; sums: Float64Array }> = {
  first: (a) => a,
  four({ z, n, V, sums }, from, to, a, b) {
    const at = a * n;
    let s0 = sums[at + b] as number;
    let s1 = sums[at + b + 1] as number;
    let s2 = sums[at + b + 2] as number;
    let s3 = sums[at + b + 3] as number;
    for (let v = from, row = b * V; v < to; v++) {
      const x = z[a * V + v] as number;
      s0 += x * (z[row + v] as number);
      s1 += x * (z[row + V + v] as number);
      s2 += x * (z[row + 2 * V + v] as number);
      s3 += x * (z[row + 3 * V + v] as number);
    }
    sums[at + b] = s0;
    sums[at + b + 1] = s1;
    sums[at + b + 2] = s2;
    sums[at + b + 3] = s3;
  },
  one({ z, n, V, sums }, from, to, a, b) {
    let sum = sums[a * n + b] as number;
    for (let v = from; v < to; v++) sum += (z[a * V + v] as number) * (z[b * V + v] as number);
    sums[a * n + b] = sum;
  },
};
