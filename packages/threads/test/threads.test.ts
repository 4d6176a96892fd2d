import { afterAll, describe, expect, test } from 'vitest';
import {
  applyCombat,
  applyEncoded,
  CombatAccumulator,
  encodeCovariates,
  harmonize,
  InvalidValueError,
  TooFewFeaturesError,
  UnknownBatchError,
  type CombatModel,
  type CombatOptions,
  type CombatStatistics,
} from '@combat/core';
import { CombatThreads } from '@combat/threads';
import { rejectionBy, syntheticData } from '@combat/test-support';

/** The bytes of a typed array: equal bytes are equal values bit for bit (NaN payloads and signed zeros included). */
function bits(array: Float64Array | Uint8Array): Buffer {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength);
}

// Bytes compared as bytes: vitest's element-by-element equality takes seconds on large arrays.
expect.addEqualityTesters([(a: unknown, b: unknown) => (Buffer.isBuffer(a) && Buffer.isBuffer(b) ? a.equals(b) : undefined)]);

function expectSameModel(found: CombatModel, expected: CombatModel): void {
  expect(found.features).toBe(expected.features);
  expect(found.coding).toEqual(expected.coding);
  expect(found.options).toEqual(expected.options);
  for (const key of ['beta', 'grandMean', 'varPooled', 'adjusted'] as const) expect(bits(found[key]), key).toEqual(bits(expected[key]));
  expect([...found.batches.keys()]).toEqual([...expected.batches.keys()]);
  for (const [label, batch] of expected.batches) {
    const mine = found.batches.get(label)!;
    for (const key of ['gammaHat', 'deltaHat', 'gammaStar', 'deltaStar', 'adjusted'] as const) expect(bits(mine[key]), `${label} ${key}`).toEqual(bits(batch[key]));
    expect([mine.gammaBar, mine.t2, mine.aPrior, mine.bPrior, mine.samples]).toEqual([batch.gammaBar, batch.t2, batch.aPrior, batch.bPrior, batch.samples]);
  }
}

const pools = new Map([1, 2, 3].map((n) => [n, new CombatThreads({ threads: n })]));
afterAll(() => Promise.all([...pools.values()].map((pool) => pool.close())));

const MODES: [string, CombatOptions][] = [
  ['parametric', {}],
  ['non-parametric', { parametric: false }],
  ['no EB', { eb: false }],
  ['mean-only', { meanOnly: true }],
  ['reference batch', { refBatch: 'siteB' }],
  ['parametric, stopped after 3 iterations', { maxIterations: 3 }],
];

describe('harmonize on threads is core\u2019s harmonize bit for bit, for any number of threads', () => {
  for (const [mode, options] of MODES) {
    test(`${mode}, with missing cells`, async () => {
      const { matrix, covariates } = syntheticData({ seed: 11, batchSizes: [6, 9, 5], features: 37, missing: 0.05 });
      const expected = harmonize(matrix, covariates, options);
      for (const [n, pool] of pools) {
        const found = await pool.harmonize(matrix, covariates, options);
        expect(bits(found.data), `${n} threads`).toEqual(bits(expected.data));
        expectSameModel(found.model, expected.model);
        expect(found.warnings).toEqual(expected.warnings);
      }
    });
  }

  test('features left unadjusted, and values whose squares overflow, in every range', async () => {
    const { matrix, covariates } = syntheticData({ seed: 23, batchSizes: [7, 6, 8], features: 31, missing: 0.04 });
    const V = matrix.features;
    covariates.batch.forEach((label, i) => {
      // Constant within siteB in features of the first, second and third range; magnitudes near 1e160 in one.
      if (label === 'siteB') for (const v of [3, 14, 27]) matrix.data[i * V + v] = 2.5;
      matrix.data[i * V + 20] = (matrix.data[i * V + 20] as number) * 1e160;
    });
    const expected = harmonize(matrix, covariates);
    expect(expected.warnings.find((w) => w.code === 'unadjusted-features')).toBeDefined();
    for (const [n, pool] of pools) {
      const found = await pool.harmonize(matrix, covariates);
      expect(bits(found.data), `${n} threads`).toEqual(bits(expected.data));
      expectSameModel(found.model, expected.model);
      expect(found.warnings).toEqual(expected.warnings);
    }
  });

  test('a matrix wider than the loops\u2019 tiles of features', async () => {
    const { matrix, covariates } = syntheticData({ seed: 29, batchSizes: [4, 5, 4], features: 4200, missing: 0.02 });
    const expected = harmonize(matrix, covariates);
    for (const n of [2, 3]) {
      const found = await pools.get(n)!.harmonize(matrix, covariates);
      expect(bits(found.data), `${n} threads`).toEqual(bits(expected.data));
      expectSameModel(found.model, expected.model);
    }
  });

  test('errors are core\u2019s: too few features, and the first infinite value in row-major order whichever range holds it', async () => {
    const { matrix, covariates } = syntheticData({ seed: 7, batchSizes: [6, 6], features: 9 });
    const flat = Float64Array.from(matrix.data);
    for (let i = 0; i < matrix.samples; i++) for (let v = 1; v < 9; v++) flat[i * 9 + v] = covariates.batch[i] === 'siteA' ? 1 : 2;
    const few = await Promise.resolve().then(() => harmonize({ ...matrix, data: flat }, covariates)).catch((error: unknown) => error as TooFewFeaturesError);
    expect(few).toBeInstanceOf(TooFewFeaturesError);
    const infinite = Float64Array.from(matrix.data);
    infinite[4 * 9 + 1] = Infinity;
    infinite[2 * 9 + 8] = -Infinity;
    const first = await rejectionBy(Promise.resolve().then(() => harmonize({ ...matrix, data: infinite }, covariates)), InvalidValueError);
    expect([first.sample, first.feature]).toEqual([2, 8]);
    for (const pool of pools.values()) {
      const error = await rejectionBy(pool.harmonize({ ...matrix, data: flat }, covariates), TooFewFeaturesError);
      expect([error.message, error.remedy]).toEqual([(few as TooFewFeaturesError).message, (few as TooFewFeaturesError).remedy]);
      const found = await rejectionBy(pool.harmonize({ ...matrix, data: infinite }, covariates), InvalidValueError);
      expect([found.message, found.sample, found.feature]).toEqual([first.message, 2, 8]);
    }
  });

  test('float32 data, and features fewer than threads', async () => {
    const { matrix, covariates } = syntheticData({ seed: 5, batchSizes: [4, 4], features: 2 });
    const single = { ...matrix, data: Float32Array.from(matrix.data) };
    const expected = harmonize(single, covariates, { eb: false });
    const found = await pools.get(3)!.harmonize(single, covariates, { eb: false });
    expect(bits(found.data)).toEqual(bits(expected.data));
  });
});

describe('applyCombat on threads', () => {
  test('is core\u2019s applyCombat, new batches estimated included', async () => {
    const { matrix, covariates } = syntheticData({ seed: 3, batchSizes: [8, 7, 6], features: 23, missing: 0.03 });
    const { model } = harmonize(matrix, covariates);
    const site = syntheticData({ seed: 4, batchSizes: [5], features: 23 });
    const renamed = { ...site.covariates, batch: site.covariates.batch.map(() => 'Z') };
    const expected = applyCombat(model, site.matrix, renamed, { newBatches: 'estimate' });
    for (const pool of pools.values()) {
      const found = await pool.applyCombat(model, site.matrix, renamed, { newBatches: 'estimate' });
      expect(bits(found.data)).toEqual(bits(expected.data));
      expectSameModel(found.model, expected.model);
      expect(found.warnings).toEqual(expected.warnings);
    }
  });

  test('errors are core\u2019s, thrown on the calling thread or carried back from a worker', async () => {
    const { matrix, covariates } = syntheticData({ seed: 3, batchSizes: [8, 7, 9, 6, 8], features: 6 });
    const { model } = harmonize(matrix, covariates);
    const unknown = { ...covariates, batch: covariates.batch.map(() => 'Z') };
    const error = await rejectionBy(pools.get(2)!.applyCombat(model, matrix, unknown), UnknownBatchError);
    expect(error.remedy).toEqual({ newBatches: 'estimate' });
    // A value that adjusts beyond float64 is found by the worker of its feature's range (the
    // second of two): named by its column in the whole matrix. A sample of a batch scaled up there:
    const sample = covariates.batch.findIndex((label) => model.batches.get(label)!.deltaStar[5]! < 0.85);
    expect(sample).toBeGreaterThanOrEqual(0);
    const huge = Float64Array.from(matrix.data);
    huge[sample * 6 + 5] = 1.7e308;
    const expected = await rejectionBy(Promise.resolve().then(() => applyCombat(model, { ...matrix, data: huge }, covariates)), InvalidValueError);
    const found = await rejectionBy(pools.get(2)!.applyCombat(model, { ...matrix, data: huge }, covariates), InvalidValueError);
    expect([found.message, found.sample, found.feature]).toEqual([expected.message, sample, 5]);
  });
});

/** Statistics as plain values with every array as its bytes: equal means equal bit for bit. */
function statisticsBits(statistics: CombatStatistics) {
  return {
    ...statistics,
    batches: statistics.batches.map((batch) => Object.fromEntries(Object.entries(batch).map(([key, value]) => [key, ArrayBuffer.isView(value) ? Buffer.from(value.buffer, value.byteOffset, value.byteLength) : value]))),
  };
}

describe('blocks of rows on threads (a pass over a table read in blocks)', () => {
  test('accumulateEncoded is the accumulator\u2019s addEncoded bit for bit, and refuses what it refuses', async () => {
    const { matrix, covariates } = syntheticData({ seed: 31, batchSizes: [7, 1, 9], features: 29, missing: 0.06 });
    const { model } = harmonize(syntheticData({ seed: 1, batchSizes: [7, 1, 9], features: 29 }).matrix, covariates);
    const rows = encodeCovariates(model.coding, covariates);
    const expected = new CombatAccumulator(model.coding, 29).addEncoded(matrix, rows).statistics();
    const infinite = Float64Array.from(matrix.data);
    infinite[9 * 29 + 3] = -Infinity;
    infinite[5 * 29 + 20] = Infinity;
    const refused = await rejectionBy(Promise.resolve().then(() => new CombatAccumulator(model.coding, 29).addEncoded({ ...matrix, data: infinite }, rows)), InvalidValueError);
    for (const [n, pool] of pools) {
      expect(statisticsBits(await pool.accumulateEncoded(model.coding, matrix, rows)), `${n} threads`).toEqual(statisticsBits(expected));
      const error = await rejectionBy(pool.accumulateEncoded(model.coding, { ...matrix, data: infinite }, rows), InvalidValueError);
      expect([error.message, error.sample, error.feature]).toEqual([refused.message, 5, 20]);
    }
  });

  test('applyEncoded is core\u2019s applyEncoded bit for bit, errors included', async () => {
    const { matrix, covariates } = syntheticData({ seed: 37, batchSizes: [6, 8, 7], features: 19, missing: 0.05 });
    const { model } = harmonize(matrix, covariates, { refBatch: 'siteA' });
    const rows = encodeCovariates(model.coding, covariates);
    const expected = applyEncoded(model, matrix, rows);
    const unknown = { ...rows, batch: rows.batch.map((label, i) => (i === 4 ? 'Z' : label)) };
    const refused = await rejectionBy(Promise.resolve().then(() => applyEncoded(model, matrix, unknown)), UnknownBatchError);
    // A value in the first range that adjusts beyond float64 (a sample of a batch scaled up there).
    const scaledUp = rows.batch.findIndex((label) => label !== 'siteA' && model.batches.get(label)!.deltaStar[6]! < 0.85);
    expect(scaledUp).toBeGreaterThanOrEqual(0);
    expect(scaledUp).toBeLessThan(9);
    const overflowing = Float64Array.from(matrix.data);
    overflowing[scaledUp * 19 + 6] = 1.7e308;
    const overflow = await rejectionBy(Promise.resolve().then(() => applyEncoded(model, { ...matrix, data: overflowing }, rows)), InvalidValueError);
    expect([overflow.sample, overflow.feature]).toEqual([scaledUp, 6]);
    // With infinite values of later samples in the last range too: core looks for those before
    // anything else, before the overflow (which a range without them finds first) and before an
    // unknown batch.
    const infinite = Float64Array.from(overflowing);
    infinite[9 * 19 + 15] = -Infinity;
    infinite[12 * 19 + 17] = Infinity;
    const infiniteRefused = await rejectionBy(Promise.resolve().then(() => applyEncoded(model, { ...matrix, data: infinite }, unknown)), InvalidValueError);
    expect([infiniteRefused.sample, infiniteRefused.feature]).toEqual([9, 15]);
    for (const [n, pool] of pools) {
      expect(bits(await pool.applyEncoded(model, matrix, rows)), `${n} threads`).toEqual(bits(expected));
      // Again with the same model (its arrays shared once), on float32 data.
      const single = { ...matrix, data: Float32Array.from(matrix.data) };
      expect(bits(await pool.applyEncoded(model, single, rows)), `${n} threads, float32`).toEqual(bits(applyEncoded(model, single, rows)));
      const error = await rejectionBy(pool.applyEncoded(model, matrix, unknown), UnknownBatchError);
      expect([error.message, error.sample]).toEqual([refused.message, 4]);
      const overflowFound = await rejectionBy(pool.applyEncoded(model, { ...matrix, data: overflowing }, rows), InvalidValueError);
      expect([overflowFound.message, overflowFound.sample, overflowFound.feature], `${n} threads`).toEqual([overflow.message, scaledUp, 6]);
      for (const given of [rows, unknown]) {
        const found = await rejectionBy(pool.applyEncoded(model, { ...matrix, data: infinite }, given), InvalidValueError);
        expect([found.message, found.sample, found.feature], `${n} threads`).toEqual([infiniteRefused.message, 9, 15]);
      }
    }
  });
});
