import { checkInteger, checkOptions } from '@combat/base/internal';
import type { DataMatrix } from '@combat/core';
import { checkFiniteOrMissing, checkMatrix } from './matrix-check.js';
import { sampleGram, trainComponents, type SampleGram } from './sample-gram.js';

/**
 * The samples' scores on the first principal components, for a scatter plot coloured by batch:
 * `scores[c][i]` is sample i's score on component c, `variance[c]` the share of the total variance
 * that component c explains. Fewer components than asked when the samples span fewer. The features
 * taken: every `stride`-th (1 below 20,000 features; wider data at the stride that keeps at most
 * 20,000), of which `featuresUsed` entered (constant ones left out).
 *
 * @example
 * ```ts
 * const pca: PrincipalComponents = principalComponents(matrix);
 * [pca.scores.length, pca.scores[0]!.length, pca.stride, pca.featuresUsed]; // [2, 8, 1, 3]
 * ```
 */
export interface PrincipalComponents {
  readonly scores: number[][];
  readonly variance: number[];
  readonly stride: number;
  readonly featuresUsed: number;
}

/**
 * Principal components of a samples x features matrix, on standardized features (each to mean 0
 * and standard deviation 1 over its finite values; a missing cell takes the mean; constant
 * features left out; above 20,000 features, every `stride`-th), as {@link batchPredictability}
 * computes them, over all samples. By the
 * samples' Gram matrix (its leading eigenpairs by a block Krylov method, the full symmetric
 * eigendecomposition where that does not converge), so 20,000 features cost one pass over the data;
 * with fewer features than samples, by the features' covariance instead (the same components).
 * Each component's sign makes its largest-magnitude score positive.
 *
 * @throws {@link InvalidArgumentError} when an argument or option is not of the right kind.
 * @throws {@link EmptyInputError} when the matrix has no sample or no feature.
 * @throws {@link ShapeMismatchError} when `data` does not hold samples x features values.
 * @throws {@link InvalidValueError} when a value is infinite (`sample`, `feature` set).
 *
 * @example
 * ```ts
 * const { variance } = principalComponents(matrix, { components: 3 });
 * variance.map((share) => share.toFixed(3)); // ['0.865', '0.134', '0.001']
 * ```
 */
export function principalComponents(matrix: DataMatrix, options: { readonly components?: number } = {}): PrincipalComponents {
  const { samples } = checkMatrix(matrix);
  checkFiniteOrMissing(matrix);
  const checked = checkOptions(options, 'principalComponents: options');
  const components = checked.components === undefined ? 2 : checkInteger(checked.components, 'principalComponents: options.components', 1);
  return componentScores(sampleGram(matrix), components, samples);
}

/** The scores of every sample on the first components of all samples' PCA. */
export function componentScores(gram: SampleGram, components: number, samples: number): PrincipalComponents {
  const rows = Array.from({ length: samples }, (_, i) => i);
  const taken = { stride: gram.stride, featuresUsed: gram.features };
  if (samples < 2) return { scores: [], variance: [], ...taken };
  const fit = trainComponents(gram, rows, components);
  const projected = rows.map((i) => fit.project(i));
  return {
    scores: Array.from({ length: fit.count }, (_, c) => projected.map((scores) => scores[c] as number)),
    variance: Array.from(fit.variances, (v) => v / fit.total),
    ...taken,
  };
}
