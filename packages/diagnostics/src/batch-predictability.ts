import { checkInteger, checkOptions, seededRandom } from '@combat/base/internal';
import { ShapeMismatchError, TooFewBatchesError, type DataMatrix } from '@combat/core';
import { indexBatches, type BatchIndex } from './batch-groups.js';
import { checkFiniteOrMissing, checkMatrix } from './matrix-check.js';
import { sampleGram, trainComponents, type SampleGram } from './sample-gram.js';

/**
 * Options of {@link batchPredictability}: how many principal `components` the classifier uses
 * (default 10), how many `folds` of stratified cross-validation (default 5), and the `seed` of the
 * folds' shuffle (default 1).
 *
 * @example
 * ```ts
 * const options: BatchPredictabilityOptions = { components: 2, folds: 4, seed: 7 };
 * batchPredictability(matrix, batch, options).folds; // 4
 * ```
 */
export interface BatchPredictabilityOptions {
  readonly components?: number;
  readonly folds?: number;
  readonly seed?: number;
}

/**
 * How well the batch can be told from the features: the cross-validated `accuracy` of a
 * nearest-centroid classifier on the first `components` principal components, against `chance`
 * (the largest batch's share of the samples: the accuracy of always guessing it), each sample's
 * `predicted` batch (from the fold that held it out; null when its batch had no sample in the
 * training folds), the settings used, and the features the classifier saw: every `stride`-th
 * (1 below 20,000 features; wider data at the stride that keeps at most 20,000) and how many of
 * those entered (`featuresUsed`, constant ones left out). Before harmonization a batch effect
 * makes the accuracy high; after, it should be near chance.
 *
 * @example
 * ```ts
 * const result: BatchPredictability = batchPredictability(matrix, batch, { folds: 4 });
 * [result.classifier, result.chance, result.predicted.length, result.stride, result.featuresUsed]; // ['nearest-centroid', 0.5, 8, 1, 3]
 * ```
 */
export interface BatchPredictability {
  readonly classifier: 'nearest-centroid';
  readonly components: number;
  readonly folds: number;
  readonly seed: number;
  readonly stride: number;
  readonly featuresUsed: number;
  readonly accuracy: number;
  readonly chance: number;
  readonly predicted: readonly (string | null)[];
}

/**
 * Cross-validated accuracy of predicting each sample's batch from its features, as a measure of
 * what batch effect is left. The classifier: the features standardized (each to mean 0 and
 * standard deviation 1 over its finite values; a missing cell takes the mean; constant features
 * left out: all without the batch labels; above 20,000 features, every `stride`-th, so that at most
 * 20,000 enter), principal components fitted on the training folds only,
 * the first `components` of them (10 by default, fewer when the training samples span fewer), and
 * each held-out sample assigned to the batch whose training centroid in those components is
 * nearest (Euclidean; ties to the batch seen first). Folds are stratified: each batch's samples are
 * shuffled with the seed and dealt to the folds in turn, so the result is the same for a seed.
 *
 * @throws {@link InvalidArgumentError} when an argument or option is not of the right kind (`folds`
 * from 2 to the number of samples, `components` at least 1, `seed` a whole number).
 * @throws {@link EmptyInputError} when the matrix has no sample or no feature.
 * @throws {@link ShapeMismatchError} when `batch` has not one label per sample.
 * @throws {@link InvalidValueError} when a value is infinite (`sample`, `feature` set).
 * @throws {@link TooFewBatchesError} when there are fewer than two batches.
 *
 * @example
 * ```ts
 * const before = batchPredictability(matrix, batch, { folds: 4 });
 * const after = batchPredictability(harmonized, batch, { folds: 4 });
 * [before.accuracy, after.accuracy, before.chance]; // [1, 0.25, 0.5]
 * ```
 */
export function batchPredictability(matrix: DataMatrix, batch: readonly string[], options: BatchPredictabilityOptions = {}): BatchPredictability {
  const { samples } = checkMatrix(matrix);
  checkFiniteOrMissing(matrix);
  const index = indexBatches(batch, 'batchPredictability: batch');
  if (batch.length !== samples) throw new ShapeMismatchError(`batch has ${batch.length} labels; expected one per sample (${samples})`);
  if (index.labels.length < 2) throw new TooFewBatchesError(`expected at least 2 batches to predict; found ${index.labels.length}`);
  const checked = checkOptions(options, 'batchPredictability: options');
  const settings = {
    components: checked.components === undefined ? 10 : checkInteger(checked.components, 'batchPredictability: options.components', 1),
    folds: checked.folds === undefined ? Math.min(5, samples) : checkInteger(checked.folds, 'batchPredictability: options.folds', 2, samples),
    seed: checked.seed === undefined ? 1 : checkInteger(checked.seed, 'batchPredictability: options.seed', -(2 ** 31), 2 ** 31),
  };
  return predictBatches(sampleGram(matrix), index, settings);
}

/** The cross-validation of {@link batchPredictability} on samples already standardized (`sampleGram`). */
export function predictBatches(gram: SampleGram, index: BatchIndex, settings: { components: number; folds: number; seed: number }): BatchPredictability {
  const n = gram.samples;
  const B = index.labels.length;
  const fold = stratifiedFolds(index, settings.folds, settings.seed);
  const predicted: (string | null)[] = new Array(n).fill(null);
  let correct = 0;
  for (let f = 0; f < settings.folds; f++) {
    const training = [...fold.keys()].filter((i) => fold[i] !== f);
    const held = [...fold.keys()].filter((i) => fold[i] === f);
    if (held.length === 0) continue;
    const components = trainComponents(gram, training, settings.components);
    const k = components.count;
    const centroids = new Float64Array(B * k);
    const counts = new Int32Array(B);
    for (const i of training) {
      const b = index.codes[i] as number;
      counts[b]++;
      components.project(i).forEach((score, c) => (centroids[b * k + c] += score));
    }
    for (let b = 0; b < B; b++) for (let c = 0; c < k; c++) centroids[b * k + c] /= counts[b] || 1;
    for (const i of held) {
      const scores = components.project(i);
      let best = -1;
      let bestDistance = Infinity;
      for (let b = 0; b < B; b++) {
        if (counts[b] === 0) continue;
        let distance = 0;
        for (let c = 0; c < k; c++) distance += ((scores[c] as number) - (centroids[b * k + c] as number)) ** 2;
        if (distance < bestDistance) {
          bestDistance = distance;
          best = b;
        }
      }
      predicted[i] = best < 0 ? null : (index.labels[best] as string);
      if (best === index.codes[i]) correct++;
    }
  }
  const sizes = new Int32Array(B);
  for (const code of index.codes) sizes[code]++;
  return { classifier: 'nearest-centroid', ...settings, stride: gram.stride, featuresUsed: gram.features, accuracy: correct / n, chance: Math.max(...sizes) / n, predicted };
}

/** Each sample's fold: every batch's samples shuffled (seeded) and dealt to the folds in turn, one deal across batches. */
function stratifiedFolds(index: BatchIndex, folds: number, seed: number): Int32Array {
  const uniform = seededRandom(seed);
  const fold = new Int32Array(index.codes.length);
  let next = 0;
  index.labels.forEach((_, b) => {
    const members = [...index.codes.keys()].filter((i) => index.codes[i] === b);
    for (let i = members.length - 1; i > 0; i--) {
      const j = Math.floor(uniform() * (i + 1));
      [members[i], members[j]] = [members[j] as number, members[i] as number];
    }
    for (const i of members) fold[i] = next++ % folds;
  });
  return fold;
}
