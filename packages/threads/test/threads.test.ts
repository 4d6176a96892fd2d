import { afterAll, describe, expect, test } from 'vitest';
import { applyCombat, harmonize, InvalidValueError, UnknownBatchError, type CombatModel, type CombatOptions } from '@combat/core';
import { CombatThreads } from '@combat/threads';
import { rejectionBy, syntheticData } from '@combat/test-support';

/** The bytes of a typed array: equal bytes are equal values bit for bit (NaN payloads and signed zeros included). */
function bits(array: Float64Array | Uint8Array): Buffer {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength);
}

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
