import { EigenvalueDecomposition, Matrix } from 'ml-matrix';

/**
 * Principal components of a centred, sample-major n x V matrix `z` (prcomp's, up to the sign of
 * each component): the variances of all min(n, V) components, largest first, and the loadings
 * (unit vectors over the features) of the first `keep`. Taken from the symmetric eigenvalue
 * decomposition of ml-matrix on the smaller of the two cross-product matrices: the V x V
 * covariance z'z / (n - 1) when there are no more features than samples; otherwise the n x n Gram
 * matrix zz' / (n - 1), whose eigenvector u of eigenvalue l gives the loading z'u / |z'u|.
 * Eigenvalues below zero (rounding) count as zero.
 */
export function principalComponents(z: Float64Array, n: number, V: number, keep: (variances: Float64Array) => number): { variances: Float64Array; loadings: Float64Array; components: number } {
  const wide = V > n;
  const m = wide ? n : V;
  const cross = new Matrix(m, m);
  for (let a = 0; a < m; a++) {
    for (let b = a; b < m; b++) {
      let sum = 0;
      if (wide) for (let v = 0; v < V; v++) sum += (z[a * V + v] as number) * (z[b * V + v] as number);
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
  for (let k = 0; k < components; k++) {
    const column = order[k] as number;
    const row = loadings.subarray(k * V, (k + 1) * V);
    if (!wide) {
      for (let v = 0; v < V; v++) row[v] = vectors.get(v, column);
      continue;
    }
    for (let i = 0; i < n; i++) {
      const u = vectors.get(i, column);
      for (let v = 0; v < V; v++) row[v] = (row[v] as number) + u * (z[i * V + v] as number);
    }
    let norm = 0;
    for (let v = 0; v < V; v++) norm += (row[v] as number) ** 2;
    norm = Math.sqrt(norm);
    if (norm > 0) for (let v = 0; v < V; v++) row[v] = (row[v] as number) / norm;
  }
  return { variances, loadings, components };
}
