import { random, syntheticData } from '@combat/test-support';
import fc from 'fast-check';
import { Matrix, SingularValueDecomposition } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { principalComponents } from '../src/index.js';
import { componentScores } from '../src/principal-components.js';
import { fullEigenpairs, KEPT_SHARE, KRYLOV_ROWS, krylovEigenpairs, leadingEigenpairs, type Eigenpairs } from '../src/leading-eigenpairs.js';
import { sampleGram, trainComponents } from '../src/sample-gram.js';

/** A symmetric m x m matrix U diag(spectrum) U' with U a seeded random orthogonal matrix (Gram-Schmidt of uniform columns). */
function withSpectrum(spectrum: readonly number[], seed: number): Float64Array {
  const m = spectrum.length;
  const next = random(seed);
  const u: Float64Array[] = [];
  while (u.length < m) {
    const v = Float64Array.from({ length: m }, () => next() - 0.5);
    for (let pass = 0; pass < 2; pass++) {
      for (const w of u) {
        const d = v.reduce((sum, x, i) => sum + x * w[i]!, 0);
        for (let i = 0; i < m; i++) v[i] = v[i]! - d * w[i]!;
      }
    }
    const length = Math.hypot(...v);
    u.push(v.map((x) => x / length));
  }
  const a = new Float64Array(m * m);
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) a[i * m + j] = spectrum.reduce((sum, value, c) => sum + value * u[c]![i]! * u[c]![j]!, 0);
  return a;
}

/**
 * Spectra with ties (a value repeated up to 3 times), near ties (a value times 1 + 1e-12 or 1 + 1e-7)
 * and zeros (rank-deficient), in a random order, of 80 to 120 values.
 */
const spectrum = fc
  .record({
    values: fc.array(fc.record({ value: fc.double({ min: 0.01, max: 100, noNaN: true }), copies: fc.integer({ min: 1, max: 3 }), near: fc.constantFrom(0, 1e-12, 1e-7) }), { minLength: 1, maxLength: 20 }),
    size: fc.integer({ min: 80, max: 120 }),
    seed: fc.nat(),
  })
  .map(({ values, size, seed }) => {
    const list = values.flatMap(({ value, copies, near }) => Array.from({ length: copies }, (_, c) => value * (1 + c * near))).slice(0, size);
    while (list.length < size) list.push(0);
    return { list: list.sort((x, y) => ((x * 7919 + seed) % 13) - ((y * 7919 + seed) % 13)), seed };
  });

/** The kept pairs (as trainComponents keeps them: over KEPT_SHARE of the largest). */
function kept(pairs: Eigenpairs): number {
  return [...pairs.values].filter((value) => value > KEPT_SHARE * Math.max(pairs.values[0]!, 0)).length;
}

/** Checks `found` against the full decomposition's `full` at 1e-9 of the largest value: values, total, the kept subspace, and each vector set apart from its neighbours by 1e-3 of the largest. */
function expectAsFull(found: Eigenpairs, full: Eigenpairs, m: number): void {
  const scale = full.values[0]!;
  expect(found.values.length).toBe(full.values.length);
  found.values.forEach((value, c) => expect(Math.abs(value - full.values[c]!)).toBeLessThanOrEqual(1e-9 * scale));
  expect(Math.abs(found.total - full.total)).toBeLessThanOrEqual(1e-9 * full.total);
  const k = kept(full);
  expect(kept(found)).toBe(k);
  // The projector onto the kept subspace, entry by entry.
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      let p = 0;
      let q = 0;
      for (let c = 0; c < k; c++) {
        p += found.vectors[c]![i]! * found.vectors[c]![j]!;
        q += full.vectors[c]![i]! * full.vectors[c]![j]!;
      }
      expect(Math.abs(p - q)).toBeLessThanOrEqual(1e-9);
    }
  }
  for (let c = 0; c < k; c++) {
    const apart = (c === 0 || full.values[c - 1]! - full.values[c]! > 1e-3 * scale) && (c + 1 >= full.values.length || full.values[c]! - full.values[c + 1]! > 1e-3 * scale);
    if (!apart) continue;
    found.vectors[c]!.forEach((x, i) => expect(Math.abs(x - full.vectors[c]![i]!)).toBeLessThanOrEqual(1e-9));
  }
}

describe('the leading eigenpairs by the block Krylov method', () => {
  it('are the full decomposition\u2019s at 1e-9 whenever it converges: ties, near ties, rank-deficient matrices', () => {
    let converged = 0;
    let runs = 0;
    fc.assert(
      fc.property(spectrum, fc.integer({ min: 1, max: 6 }), ({ list, seed }, count) => {
        runs++;
        const m = list.length;
        const a = withSpectrum(list, seed);
        const full = fullEigenpairs(a, m, count);
        const found = krylovEigenpairs(a, m, count);
        if (found === undefined) return;
        converged++;
        expect(found.method).toBe('krylov');
        expectAsFull(found, full, m);
        // And the known spectrum itself.
        const sorted = [...list].sort((x, y) => y - x);
        found.values.forEach((value, c) => expect(Math.abs(value - sorted[c]!)).toBeLessThanOrEqual(1e-9 * sorted[0]!));
      }),
      { numRuns: 60 },
    );
    // Enough of the cases converge for the comparison to mean something (the others, ties and near
    // ties at the boundary of the kept ones, or more vectors than half the rows, fall back).
    expect(converged).toBeGreaterThan(runs / 4);
  });

  it('falls back to the full decomposition on a tie at the boundary, and within a bound on the space', () => {
    const m = 300;
    // Eigenvalues 10, 9, 8, then 7 five times: the 4th component is any vector of a 5-dimensional space.
    const tied = withSpectrum(Array.from({ length: m }, (_, i) => (i < 3 ? 10 - i : i < 8 ? 7 : 1 / (i + 1))), 4);
    expect(krylovEigenpairs(tied, m, 4)).toBeUndefined();
    const fallen = leadingEigenpairs(tied, m, 4);
    expect(fallen.method).toBe('full');
    expect(fallen).toEqual(fullEigenpairs(tied, m, 4));
    // The first three are set apart: the Krylov method takes them.
    const three = leadingEigenpairs(tied, m, 3);
    expect(three.method).toBe('krylov');
    expectAsFull(three, fullEigenpairs(tied, m, 3), m);
    // A slowly decaying spectrum does not converge within 16 vectors: the full decomposition instead.
    const slow = withSpectrum(Array.from({ length: m }, (_, i) => 1 / (1 + 0.01 * i)), 5);
    expect(krylovEigenpairs(slow, m, 2, 16)).toBeUndefined();
    expect(leadingEigenpairs(slow, m, 2, 16)).toEqual(fullEigenpairs(slow, m, 2));
  });

  it('gives every pair of a matrix smaller than the count asked (n < k), and nothing of a zero matrix', () => {
    const a = withSpectrum([3, 2, 1, 0, 0], 6);
    const pairs = leadingEigenpairs(a, 5, 10);
    expect(pairs.values.length).toBe(5);
    expectAsFull(pairs, fullEigenpairs(a, 5, 5), 5);
    expect(krylovEigenpairs(new Float64Array(300 * 300), 300, 2)).toBeUndefined();
  });
});

describe('principal components of more samples than the full decomposition is used for', () => {
  // 300 samples (over KRYLOV_ROWS) in 4 sites x 40 features, and the reference: the SVD of the
  // standardized data centred on the training samples' mean, every sample projected on its right
  // singular vectors.
  const { matrix } = syntheticData({ seed: 21, batchSizes: [80, 70, 90, 60], features: 40 });
  const { samples: n, features: V, data } = matrix;
  const z = Array.from({ length: n }, () => new Float64Array(V));
  for (let v = 0; v < V; v++) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += data[i * V + v]! / n;
    let squares = 0;
    for (let i = 0; i < n; i++) squares += (data[i * V + v]! - mean) ** 2;
    const sd = Math.sqrt(squares / (n - 1));
    for (let i = 0; i < n; i++) z[i]![v] = (data[i * V + v]! - mean) / sd;
  }
  function reference(rows: readonly number[], components: number): { variances: number[]; total: number; scores: number[][] } {
    const centre = new Float64Array(V);
    for (const i of rows) z[i]!.forEach((x, v) => (centre[v] = centre[v]! + x / rows.length));
    const svd = new SingularValueDecomposition(new Matrix(rows.map((i) => Array.from(z[i]!, (x, v) => x - centre[v]!))), { autoTranspose: true });
    const right = svd.rightSingularVectors;
    const variances = svd.diagonal.slice(0, components).map((s) => s ** 2 / (rows.length - 1));
    const scores = Array.from({ length: components }, (_, c) => Array.from({ length: n }, (_, a) => z[a]!.reduce((sum, x, v) => sum + (x - centre[v]!) * right.get(v, c), 0)));
    const total = svd.diagonal.reduce((sum, s) => sum + s ** 2, 0) / (rows.length - 1);
    return { variances, total, scores };
  }

  // Fewer features than samples: principalComponents and the folds decompose the features'
  // covariance; without the standardized samples, the Gram matrix (by the Krylov method here).
  const covariance = sampleGram(matrix);
  const gramOnly = { ...covariance, standardized: undefined };

  it('keeps the standardized samples only when there are fewer features than samples', () => {
    expect(covariance.standardized?.width).toBe(V);
    const fewer = sampleGram({ ...matrix, samples: V, data: data.subarray(0, V * V) });
    expect([fewer.standardized, fewer.gram().length]).toEqual([undefined, V * V]);
  });

  for (const [path, gram] of [
    ['the features\u2019 covariance', covariance],
    ['the Gram matrix', gramOnly],
  ] as const) {
    it(`gives all samples\u2019 scores as the SVD does, with the sign that makes the largest score positive (${path})`, () => {
      expect(n).toBeGreaterThanOrEqual(KRYLOV_ROWS);
      const pca = gram === covariance ? principalComponents(matrix, { components: 2 }) : componentScores(gram, 2, n);
      const { scores } = reference([...Array(n).keys()], 2);
      scores.forEach((expected, c) => {
        const largest = expected.reduce((best, x) => (Math.abs(x) > Math.abs(best) ? x : best), 0);
        const scale = Math.abs(largest);
        expected.forEach((x, a) => expect(Math.abs(pca.scores[c]![a]! - Math.sign(largest) * x)).toBeLessThanOrEqual(1e-9 * scale));
      });
    });

    it(`fits a fold\u2019s 10 components as the SVD of its training samples: the same variances and distances between samples\u2019 scores (${path})`, () => {
      const training = [...Array(n).keys()].filter((i) => i % 7 !== 3);
      expect(training.length).toBeGreaterThanOrEqual(KRYLOV_ROWS);
      const fit = trainComponents(gram, training, 10);
      const expected = reference(training, 10);
      expect(fit.count).toBe(10);
      fit.variances.forEach((variance, c) => expect(Math.abs(variance - expected.variances[c]!)).toBeLessThanOrEqual(1e-9 * expected.variances[0]!));
      expect(Math.abs(fit.total - expected.total)).toBeLessThanOrEqual(1e-9 * expected.total);
      // The classifier sees only distances between scores: compare every sample's inner products with every other.
      const projected = Array.from({ length: n }, (_, a) => fit.project(a));
      for (let a = 0; a < n; a += 3) {
        for (let b = 0; b < n; b += 5) {
          let found = 0;
          let wanted = 0;
          for (let c = 0; c < 10; c++) {
            found += projected[a]![c]! * projected[b]![c]!;
            wanted += expected.scores[c]![a]! * expected.scores[c]![b]!;
          }
          expect(Math.abs(found - wanted)).toBeLessThanOrEqual(1e-9 * expected.variances[0]!);
        }
      }
    });
  }
});

describe('principal components on the features\u2019 covariance and on the Gram matrix', () => {
  // 400 samples x 300 features with a constant feature, a duplicated one and missing cells: a fold of
  // 320 training samples (more than the features: the covariance, 300 x 300, by the Krylov method) and
  // one of 200 (fewer: the Gram block, by the full decomposition), both against the SVD of the data
  // standardized here (a missing cell at the feature's mean, i.e. 0; the constant feature as zeros).
  const { matrix } = syntheticData({ seed: 33, batchSizes: [100, 100, 100, 100], features: 300 });
  const { samples: n, features: V } = matrix;
  const data = matrix.data.slice();
  const next = random(34);
  for (let i = 0; i < n; i++) {
    data[i * V + 7] = 2.5;
    data[i * V + 11] = data[i * V + 10]!;
  }
  for (let k = 0; k < data.length; k++) if (k % V !== 7 && next() < 0.03) data[k] = NaN;
  const holed = { ...matrix, data };
  const z = Array.from({ length: n }, () => new Float64Array(V));
  for (let v = 0; v < V; v++) {
    const present = [...Array(n).keys()].filter((i) => !Number.isNaN(data[i * V + v]!));
    const mean = present.reduce((sum, i) => sum + data[i * V + v]!, 0) / present.length;
    const sd = Math.sqrt(present.reduce((sum, i) => sum + (data[i * V + v]! - mean) ** 2, 0) / (present.length - 1));
    for (let i = 0; i < n; i++) z[i]![v] = sd > 0 && !Number.isNaN(data[i * V + v]!) ? (data[i * V + v]! - mean) / sd : 0;
  }
  const standardized = sampleGram(holed);

  for (const [what, training] of [
    ['a fold with more training samples than features (covariance)', [...Array(n).keys()].filter((i) => i % 5 !== 2)],
    ['a fold with fewer (Gram block)', [...Array(n).keys()].filter((i) => i % 2 === 1)],
  ] as const) {
    it(`fits ${what} as the SVD does: variances, total, and every sample's scores up to sign`, () => {
      const centre = new Float64Array(V);
      for (const i of training) z[i]!.forEach((x, v) => (centre[v] = centre[v]! + x / training.length));
      const svd = new SingularValueDecomposition(new Matrix(training.map((i) => Array.from(z[i]!, (x, v) => x - centre[v]!))), { autoTranspose: true });
      const fit = trainComponents(standardized, training, 10);
      expect(fit.count).toBe(10);
      const largest = svd.diagonal[0]! ** 2 / (training.length - 1);
      fit.variances.forEach((variance, c) => expect(Math.abs(variance - svd.diagonal[c]! ** 2 / (training.length - 1))).toBeLessThanOrEqual(1e-9 * largest));
      expect(Math.abs(fit.total - svd.diagonal.reduce((sum, s) => sum + s ** 2, 0) / (training.length - 1))).toBeLessThanOrEqual(1e-9 * largest);
      const right = svd.rightSingularVectors;
      const projected = Array.from({ length: n }, (_, a) => fit.project(a));
      for (let c = 0; c < 10; c++) {
        const expected = Array.from({ length: n }, (_, a) => z[a]!.reduce((sum, x, v) => sum + (x - centre[v]!) * right.get(v, c), 0));
        const sign = Math.sign(projected[0]![c]!) * Math.sign(expected[0]!);
        const scale = Math.sqrt(svd.diagonal[c]! ** 2 / (training.length - 1));
        expected.forEach((x, a) => expect(Math.abs(projected[a]![c]! - sign * x)).toBeLessThanOrEqual(1e-8 * scale));
      }
    });
  }

  it('signs a component the same way on both, even when two samples\u2019 scores tie but for rounding (mirror-image samples)', () => {
    const half = syntheticData({ seed: 35, batchSizes: [10, 10], features: 5 }).matrix;
    const mirrored = { samples: 40, features: 5, data: Float64Array.from({ length: 200 }, (_, k) => (k < 100 ? half.data[k]! : -half.data[k - 100]!)) };
    const both = sampleGram(mirrored);
    const rows = [...Array(40).keys()];
    const byCovariance = trainComponents(both, rows, 3);
    const byGram = trainComponents({ ...both, standardized: undefined }, rows, 3);
    for (let a = 0; a < 40; a++) {
      const [x, y] = [byCovariance.project(a), byGram.project(a)];
      for (let c = 0; c < 3; c++) expect(Math.abs(x[c]! - y[c]!)).toBeLessThanOrEqual(1e-9 * Math.sqrt(byGram.variances[0]!));
    }
  });
});
