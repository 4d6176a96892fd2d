import { syntheticData, thrownBy } from '@combat/test-support';
import { describe, expect, it } from 'vitest';
import { applyCombat, harmonize, InvalidValueError } from '../src/index.js';

/**
 * Matrices wider than the tiles of features the accumulating and adjusting loops take (a few
 * thousand): each feature's values are what the feature alone gives, and errors still name the
 * first bad cell in row-major order, wherever the tiles cut.
 */
const FEATURES = 4500;

/** The bytes of a typed array: equal bytes are equal values bit for bit. */
function bits(array: Float64Array): Buffer {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength);
}

function wideData() {
  const { matrix, covariates } = syntheticData({ seed: 17, batchSizes: [5, 6, 4], features: FEATURES, missing: 0.05 });
  // Features constant within siteB (left unadjusted: they pass through) on both sides of the tile edges.
  const constant = [10, 2047, 2100, 4400];
  covariates.batch.forEach((label, i) => {
    if (label === 'siteB') for (const v of constant) matrix.data[i * FEATURES + v] = 3.25;
  });
  return { matrix, covariates, constant };
}

describe('features in tiles', () => {
  it('harmonizes every feature of a wide matrix as that feature alone (no empirical Bayes: features independent)', () => {
    const { matrix, covariates, constant } = wideData();
    const { data, warnings } = harmonize(matrix, covariates, { eb: false });
    expect(warnings.find((w) => w.code === 'unadjusted-features')).toMatchObject({ features: constant });
    const columns = [0, 1, 2046, 2047, 2048, 2049, 4095, 4096, 4097, 4499, ...constant, ...Array.from({ length: 40 }, (_, k) => 37 + k * 109)];
    const n = matrix.samples;
    for (const v of columns) {
      const column = Float64Array.from({ length: n }, (_, i) => matrix.data[i * FEATURES + v] as number);
      const alone = harmonize({ data: column, samples: n, features: 1 }, covariates, { eb: false }).data;
      const found = Float64Array.from({ length: n }, (_, i) => data[i * FEATURES + v] as number);
      expect(bits(found), `feature ${v}`).toEqual(bits(alone));
    }
  });

  it('names the first infinite value in row-major order, not the first tile\u2019s', () => {
    const { matrix, covariates } = wideData();
    matrix.data[5 * FEATURES + 100] = -Infinity;
    matrix.data[3 * FEATURES + 4000] = Infinity;
    const error = thrownBy(() => harmonize(matrix, covariates), InvalidValueError);
    expect([error.sample, error.feature, error.message]).toEqual([3, 4000, 'sample 3, feature 4000: data value is Infinity; expected a finite number or NaN for a missing cell']);
  });

  it('names the first value that adjusts beyond float64 in row-major order, not the first tile\u2019s', () => {
    const { matrix, covariates } = wideData();
    const { model } = harmonize(matrix, covariates);
    // Cells whose batch is scaled up (deltaStar < 0.85): a value near the float64 limit overflows there.
    const scaledUp = (i: number, v: number) => model.batches.get(covariates.batch[i]!)!.deltaStar[v]! < 0.85;
    const later = Array.from({ length: FEATURES - 2048 }, (_, k) => 2048 + k).find((v) => scaledUp(2, v))!;
    const earlier = Array.from({ length: 2048 }, (_, v) => v).find((v) => scaledUp(9, v))!;
    expect([later, earlier]).toEqual([expect.any(Number), expect.any(Number)]);
    const huge = Float64Array.from(matrix.data);
    huge[9 * FEATURES + earlier] = 1.7e308;
    huge[2 * FEATURES + later] = 1.7e308;
    const error = thrownBy(() => applyCombat(model, { ...matrix, data: huge }, covariates), InvalidValueError);
    expect([error.sample, error.feature]).toEqual([2, later]);
  });
});
