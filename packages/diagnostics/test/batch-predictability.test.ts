import { harmonize, InvalidArgumentError, InvalidValueError, ShapeMismatchError, TooFewBatchesError, type DataMatrix } from '@combat/core';
import { random, syntheticData, thrownBy } from '@combat/test-support';
import { describe, expect, it } from 'vitest';
import { batchPredictability, principalComponents } from '../src/index.js';
import { sampleGram, trainComponents } from '../src/sample-gram.js';

// Four sites of 30, 40 samples' worth of each, 300 features: the generator gives every site its
// own shift and scale per feature (a strong batch effect), plus age and sex effects.
const study = syntheticData({ seed: 11, batchSizes: [30, 30, 40, 20], features: 300 });
const { data } = harmonize(study.matrix, study.covariates);
const harmonized: DataMatrix = { ...study.matrix, data };
const batch = study.covariates.batch;

/** The same samples with no batch effect: each feature drawn from one normal distribution for all. */
function noBatchEffect(seed: number): DataMatrix {
  const next = random(seed);
  const { samples, features } = study.matrix;
  const values = Float64Array.from({ length: samples * features }, () => {
    // Box-Muller from the test helpers' uniform generator.
    return Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  });
  return { data: values, samples, features };
}

describe('batchPredictability', () => {
  it('predicts the batch almost always before harmonization, and at about chance after', () => {
    const before = batchPredictability(study.matrix, batch);
    const after = batchPredictability(harmonized, batch);
    expect(before.chance).toBe(40 / 120);
    expect(before.accuracy).toBeGreaterThan(0.95);
    // Chance is 1/3 (the largest batch); a classifier that learned nothing scores about 1/4 to 1/3
    // here (folds hold out each batch's samples in turn). 0.45 is well over what noise gives (a
    // binomial standard deviation of 0.04 at n = 120) and far below the 0.95 before.
    expect(after.accuracy).toBeLessThan(0.45);
    expect(after.predicted.filter((label, i) => label === batch[i]).length / 120).toBe(after.accuracy);
    expect([before.classifier, before.components, before.folds, before.seed]).toEqual(['nearest-centroid', 10, 5, 1]);
  });

  it('finds no batch in data without a batch effect, and is the same for a seed', () => {
    const none = noBatchEffect(5);
    const result = batchPredictability(none, batch, { seed: 3 });
    expect(result.accuracy).toBeLessThan(0.45);
    expect(batchPredictability(none, batch, { seed: 3 })).toEqual(result);
    // Another seed deals other folds.
    expect(batchPredictability(none, batch, { seed: 4 }).predicted).not.toEqual(result.predicted);
  });

  it('fits the principal components on the training samples alone: the held-out samples change nothing of the fit', () => {
    const byGram = sampleGram(noBatchEffect(9));
    const training = Array.from({ length: 90 }, (_, i) => i);
    const n = byGram.samples;
    // On the Gram matrix (more features than samples): any other inner products of the held-out samples 90..119 leave the training scores bit for bit.
    const fit = trainComponents(byGram, training, 4);
    const changed = byGram.gram().slice();
    for (let a = 90; a < n; a++) for (let j = 0; j < n; j++) changed[a * n + j] = changed[j * n + a] = 1000 * Math.sin(a * j);
    const refit = trainComponents({ ...byGram, gram: () => changed }, training, 4);
    for (const i of training) expect(refit.project(i)).toEqual(fit.project(i));
    expect(refit.variances).toEqual(fit.variances);
    // On the features' covariance (the first 40 features: fewer than the training samples): any other values of the held-out samples, the same.
    const wide = noBatchEffect(9);
    const narrow = sampleGram({ samples: n, features: 40, data: Float64Array.from({ length: n * 40 }, (_, k) => wide.data[Math.floor(k / 40) * wide.features + (k % 40)]!) });
    const { values, width } = narrow.standardized!;
    expect(width).toBe(40);
    const byFeatures = trainComponents(narrow, training, 4);
    const other = values.slice();
    for (let k = 90 * width; k < n * width; k++) other[k] = 1000 * Math.sin(k);
    const refitByFeatures = trainComponents({ ...narrow, standardized: { values: other, width } }, training, 4);
    for (const i of training) expect(refitByFeatures.project(i)).toEqual(byFeatures.project(i));
    expect(refitByFeatures.variances).toEqual(byFeatures.variances);
  });

  it('takes missing cells (the feature mean) and refuses what it cannot use', () => {
    const holes = study.matrix.data.slice();
    for (let k = 0; k < holes.length; k += 7) holes[k] = NaN;
    expect(batchPredictability({ ...study.matrix, data: holes }, batch).accuracy).toBeGreaterThan(0.95);
    holes[3] = -Infinity;
    const infinite = thrownBy(() => batchPredictability({ ...study.matrix, data: holes }, batch), InvalidValueError);
    expect([infinite.message, infinite.sample, infinite.feature]).toEqual(['sample 0, feature 3: value is -Infinity; expected a finite number or NaN for a missing value', 0, 3]);
    expect(thrownBy(() => batchPredictability(study.matrix, batch.slice(1)), ShapeMismatchError).message).toBe('batch has 119 labels; expected one per sample (120)');
    expect(thrownBy(() => batchPredictability(study.matrix, batch.map(() => 'one')), TooFewBatchesError).message).toBe('expected at least 2 batches to predict; found 1');
    expect(thrownBy(() => batchPredictability(study.matrix, batch, { folds: 1 }), InvalidArgumentError).message).toBe('batchPredictability: options.folds: expected an integer from 2 to 120; received a number (1)');
  });
});

describe('principalComponents', () => {
  it('gives scores whose variances are the shares of the total, and separates the batches before harmonization', () => {
    const pca = principalComponents(study.matrix, { components: 3 });
    expect(pca.scores).toHaveLength(3);
    const total = 300; // the standardized features' variances, 1 each
    pca.scores.forEach((scores, c) => {
      const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
      expect(Math.abs(mean)).toBeLessThan(1e-9);
      const variance = scores.reduce((a, b) => a + (b - mean) ** 2, 0) / (scores.length - 1);
      expect(variance / total).toBeCloseTo(pca.variance[c]!, 10);
    });
    // Scores on distinct components are uncorrelated.
    const dot = pca.scores[0]!.reduce((sum, x, i) => sum + x * pca.scores[1]![i]!, 0);
    expect(Math.abs(dot)).toBeLessThan(1e-8 * total * 120);
    expect(pca.variance[0]).toBeGreaterThan(pca.variance[1]!);
  });
});

describe('wide data (more than 20,000 features)', () => {
  // 7 samples (not a multiple of the Gram's four-row blocks) x 40,001 features: a stride of 3 takes
  // features 0, 3, ..., 40,000 (13,334 of them); feature 3 is made constant, so 13,333 enter.
  const samples = 7;
  const features = 40_001;
  const next = random(3);
  const data = Float64Array.from({ length: samples * features }, (_, cell) => (cell % features === 3 ? 1 : next() + (cell >= 4 * features ? 0.3 : 0)));
  const wide: DataMatrix = { data, samples, features };
  const taken = Array.from({ length: 13_334 }, (_, w) => w * 3);
  const subset: DataMatrix = { data: Float64Array.from({ length: samples * taken.length }, (_, cell) => data[Math.floor(cell / taken.length) * features + taken[cell % taken.length]!]!), samples, features: taken.length };
  const wideBatch = ['a', 'a', 'a', 'a', 'b', 'b', 'b'];

  it('takes every stride-th feature for the PCA and the classifier, and says so', () => {
    const pca = principalComponents(wide);
    expect([pca.stride, pca.featuresUsed]).toEqual([3, 13_333]);
    const direct = principalComponents(subset);
    expect([direct.stride, direct.featuresUsed]).toEqual([1, 13_333]);
    expect(pca.scores).toEqual(direct.scores);
    expect(pca.variance).toEqual(direct.variance);
    const predictability = batchPredictability(wide, wideBatch, { folds: 3 });
    expect([predictability.stride, predictability.featuresUsed]).toEqual([3, 13_333]);
    expect({ ...predictability, stride: 1 }).toEqual(batchPredictability(subset, wideBatch, { folds: 3 }));
  });

  it('forms the Gram matrix of the standardized samples (each inner product as a plain sum)', () => {
    const gram = sampleGram(subset).gram();
    const columns = taken.map((_, w) => Array.from({ length: samples }, (_, i) => subset.data[i * taken.length + w]!));
    const z = columns.map((column) => {
      const mean = column.reduce((a, b) => a + b, 0) / samples;
      const sd = Math.sqrt(column.reduce((a, b) => a + (b - mean) ** 2, 0) / (samples - 1));
      return column.map((x) => (sd > 0 ? (x - mean) / sd : 0));
    });
    for (let i = 0; i < samples; i++) {
      for (let j = 0; j < samples; j++) {
        const dot = z.reduce((sum, column) => sum + column[i]! * column[j]!, 0);
        expect(Math.abs(gram[i * samples + j]! - dot)).toBeLessThanOrEqual(1e-12 * taken.length);
      }
    }
  });
});
