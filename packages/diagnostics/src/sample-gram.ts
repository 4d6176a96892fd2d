/**
 * Principal components of samples from their Gram matrix: the features are standardized (each
 * feature's mean and standard deviation over its finite values; a missing cell takes the mean,
 * i.e. 0), the n x n matrix of inner products between samples is formed once, and PCA on any set
 * of training samples is the eigendecomposition of that matrix's block, centred on the training
 * samples' mean (only its leading eigenpairs: leading-eigenpairs.ts). Any sample is then projected onto the
 * training components through its inner products with the training samples: n x n work per fit
 * instead of an SVD of n x features, so a cross-validation fits its folds' PCA cheaply. With fewer
 * features than a fit's training samples, the features' covariance over those samples (W x W, of
 * the same nonzero eigenvalues) is decomposed instead, and samples are projected on its
 * eigenvectors: the same components to rounding, from a smaller matrix; the Gram matrix is then
 * formed only if another fit needs it.
 */
import type { DataMatrix } from '@combat/core';
import { KEPT_SHARE, leadingEigenpairs, signOfLargest } from './leading-eigenpairs.js';

/**
 * At most this many features enter the PCA: wider data (a volume's voxels) are taken at a
 * deterministic stride, every `stride`-th feature from the first, so the cost stays that of 20,000
 * features. The tests across batches still test every feature; only the PCA and the classifier
 * see the subset, and their output says so.
 */
export const GRAM_FEATURES = 20_000;

/**
 * What PCA fits of the samples start from: the `stride` at which features were taken (1: all), how
 * many of those entered (`features`: the constant ones left out), the samples' Gram matrix
 * (`gram()`, n x n, row-major), and, with fewer features taken (`width`, constant ones included as
 * zeros) than samples, the standardized samples themselves (`standardized`, n x width,
 * sample-major), whose covariance a fit with more training samples than features decomposes. The
 * Gram matrix is formed at once when there are no fewer features than samples, else only when a fit
 * needs it (one with no more training samples than features), once.
 */
export interface SampleGram {
  readonly samples: number;
  readonly stride: number;
  readonly features: number;
  readonly gram: () => Float64Array;
  readonly standardized?: { readonly values: Float64Array; readonly width: number };
}

/**
 * Standardizes the features (every `stride`-th, at most {@link GRAM_FEATURES}; left out: fewer than
 * two finite values, or no spread); their Gram matrix as {@link SampleGram} says.
 */
export function sampleGram(matrix: DataMatrix): SampleGram {
  const { data, samples: n, features: V } = matrix;
  const stride = Math.ceil(V / GRAM_FEATURES);
  const W = Math.ceil(V / stride);
  const centre = new Float64Array(W);
  const scale = new Float64Array(W);
  let kept = 0;
  for (let w = 0; w < W; w++) {
    const v = w * stride;
    let count = 0;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const x = data[i * V + v] as number;
      if (Number.isNaN(x)) continue;
      count++;
      sum += x;
    }
    const mean = sum / count;
    let squares = 0;
    for (let i = 0; i < n; i++) {
      const x = data[i * V + v] as number;
      if (!Number.isNaN(x)) squares += (x - mean) ** 2;
    }
    const sd = Math.sqrt(squares / (count - 1));
    centre[w] = mean;
    scale[w] = count >= 2 && sd > 0 && Number.isFinite(sd) ? 1 / sd : 0;
    if (scale[w] !== 0) kept++;
  }
  // The standardized samples, one row each, padded with rows of 0 to a multiple of four (for the Gram matrix).
  const z = new Float64Array(Math.ceil(n / 4) * 4 * W);
  for (let i = 0; i < n; i++) {
    for (let w = 0; w < W; w++) {
      const x = data[i * V + w * stride] as number;
      z[i * W + w] = Number.isNaN(x) ? 0 : (x - (centre[w] as number)) * (scale[w] as number);
    }
  }
  const taken = { samples: n, stride, features: kept };
  if (W >= n) {
    const gram = gramMatrix(z, n, W);
    return { ...taken, gram: () => gram };
  }
  let gram: Float64Array | undefined;
  return { ...taken, gram: () => (gram ??= gramMatrix(z, n, W)), standardized: { values: z, width: W } };
}

/**
 * The n x n inner products of the rows of `z` (n rows of W, padded to a multiple of four), four
 * samples at a time against each other (each inner product summed over the features in order, as
 * one at a time).
 */
function gramMatrix(z: Float64Array, n: number, W: number): Float64Array {
  const gram = new Float64Array(n * n);
  for (let i = 0; i < n; i += 4) {
    const a0 = i * W;
    const a1 = a0 + W;
    const a2 = a1 + W;
    const a3 = a2 + W;
    for (let j = 0; j < Math.min(i + 4, n); j++) {
      const b = j * W;
      let d0 = 0;
      let d1 = 0;
      let d2 = 0;
      let d3 = 0;
      for (let w = 0; w < W; w++) {
        const y = z[b + w] as number;
        d0 += (z[a0 + w] as number) * y;
        d1 += (z[a1 + w] as number) * y;
        d2 += (z[a2 + w] as number) * y;
        d3 += (z[a3 + w] as number) * y;
      }
      const dots = [d0, d1, d2, d3];
      for (let r = 0; r < 4 && i + r < n; r++) {
        if (j > i + r) continue;
        gram[(i + r) * n + j] = dots[r] as number;
        gram[j * n + i + r] = dots[r] as number;
      }
    }
  }
  return gram;
}

/** Principal components fitted on training samples: their variances and a projection of any sample. */
export interface TrainedComponents {
  /** The components kept (at most those asked, with a variance above 1e-10 of the first). */
  readonly count: number;
  /** Each kept component's variance (sum of squared training scores / (m - 1)), largest first. */
  readonly variances: Float64Array;
  /** The sum of all components' variances (the total variance of the training samples). */
  readonly total: number;
  /** The scores of sample a (any of the samples) on the kept components. */
  project(a: number): Float64Array;
}

/**
 * PCA of the training samples `rows` (two or more), keeping at most `components`: on the features'
 * covariance when there are fewer features than training samples (the smaller matrix), else on
 * the Gram matrix's block.
 */
export function trainComponents(sampleGram: SampleGram, rows: readonly number[], components: number): TrainedComponents {
  const { standardized } = sampleGram;
  return standardized !== undefined && standardized.width < rows.length
    ? featureComponents(standardized.values, standardized.width, rows, components)
    : gramComponents(sampleGram.samples, sampleGram.gram(), rows, components);
}

/** {@link trainComponents} on the Gram matrix's block of the training samples, centred. */
function gramComponents(n: number, gram: Float64Array, rows: readonly number[], components: number): TrainedComponents {
  const m = rows.length;
  const rowMeans = new Float64Array(m);
  let grand = 0;
  for (let j = 0; j < m; j++) {
    let sum = 0;
    for (const l of rows) sum += gram[(rows[j] as number) * n + l] as number;
    rowMeans[j] = sum / m;
    grand += sum;
  }
  grand /= m * m;
  const centred = new Float64Array(m * m);
  for (let j = 0; j < m; j++) {
    for (let l = 0; l < m; l++) centred[j * m + l] = (gram[(rows[j] as number) * n + (rows[l] as number)] as number) - (rowMeans[j] as number) - (rowMeans[l] as number) + grand;
  }
  const { values, vectors, total } = leadingEigenpairs(centred, m, Math.min(components, m - 1));
  const kept = keptPairs(values);
  // Component c's score of sample a: sum_j u_jc k(a, j) / sqrt(lambda_c), k centred on the training mean.
  const weights = kept.map((k) => (vectors[k] as Float64Array).map((u) => u / Math.sqrt(values[k] as number)));
  return {
    count: kept.length,
    variances: Float64Array.from(kept, (k) => (values[k] as number) / (m - 1)),
    total: total / (m - 1),
    project(a) {
      const inner = new Float64Array(m);
      let mean = 0;
      for (let j = 0; j < m; j++) {
        inner[j] = gram[a * n + (rows[j] as number)] as number;
        mean += inner[j] as number;
      }
      mean /= m;
      return Float64Array.from(weights, (w) => {
        let score = 0;
        for (let j = 0; j < m; j++) score += (w[j] as number) * ((inner[j] as number) - mean - (rowMeans[j] as number) + grand);
        return score;
      });
    },
  };
}

/**
 * {@link trainComponents} on the W x W covariance of the standardized samples `z` (sample-major)
 * over the training samples: its eigenvectors are the components' axes, each signed as the Gram
 * matrix's eigenvectors (the training scores, scaled) are: by its largest-magnitude training score
 * (see `signOfLargest`).
 */
function featureComponents(z: Float64Array, W: number, rows: readonly number[], components: number): TrainedComponents {
  const m = rows.length;
  const centre = new Float64Array(W);
  for (const i of rows) for (let w = 0; w < W; w++) centre[w] = (centre[w] as number) + (z[i * W + w] as number);
  for (let w = 0; w < W; w++) centre[w] = (centre[w] as number) / m;
  const scatter = new Float64Array(W * W);
  const d = new Float64Array(W);
  for (const i of rows) {
    for (let w = 0; w < W; w++) d[w] = (z[i * W + w] as number) - (centre[w] as number);
    for (let a = 0; a < W; a++) {
      const da = d[a] as number;
      for (let b = a, at = a * W + a; b < W; b++, at++) scatter[at] = (scatter[at] as number) + da * (d[b] as number);
    }
  }
  for (let a = 0; a < W; a++) for (let b = a + 1; b < W; b++) scatter[b * W + a] = scatter[a * W + b] as number;
  const { values, vectors, total } = leadingEigenpairs(scatter, W, Math.min(components, m - 1));
  const kept = keptPairs(values);
  const score = (a: number, axis: Float64Array): number => {
    let sum = 0;
    for (let w = 0; w < W; w++) sum += ((z[a * W + w] as number) - (centre[w] as number)) * (axis[w] as number);
    return sum;
  };
  const axes = kept.map((k) => {
    const axis = vectors[k] as Float64Array;
    return signOfLargest(Float64Array.from(rows, (i) => score(i, axis))) < 0 ? axis.map((x) => -x) : axis;
  });
  return {
    count: kept.length,
    variances: Float64Array.from(kept, (k) => (values[k] as number) / (m - 1)),
    total: total / (m - 1),
    project: (a) => Float64Array.from(axes, (axis) => score(a, axis)),
  };
}

/** The eigenpairs kept (their indices, largest value first): those over {@link KEPT_SHARE} of the largest, when it is positive. */
function keptPairs(values: Float64Array): number[] {
  const largest = Math.max(values[0] ?? 0, 0);
  return [...values.keys()].filter((k) => (values[k] as number) > KEPT_SHARE * largest && largest > 0);
}
