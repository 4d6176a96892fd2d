import { afterAll, describe, expect, test } from 'vitest';
import { applyCombat, applyEncoded, encodeCovariates, harmonizeCovbat, InvalidValueError, UnknownBatchError } from '@combat/core';
import { CombatThreads } from '@combat/threads';
import { loadCovbatCase, rejectionBy, thrownBy } from '@combat/test-support';

/**
 * A CovBat model on threads: its step adjusts whole samples, so `applyCombat` and `applyEncoded`
 * split the samples across the workers and give core's result bit for bit, with core's checks and
 * errors, for any number of threads.
 */
const pools = new Map([1, 2, 3].map((n) => [n, new CombatThreads({ threads: n })]));
afterAll(() => Promise.all([...pools.values()].map((pool) => pool.close())));

const { matrix, covariates } = loadCovbatCase('covbat-npc');
const { data: trained, model } = harmonizeCovbat(matrix, covariates, { components: 4 });

function bits(array: Float64Array): Buffer {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength);
}

describe.each([...pools.keys()])('a CovBat model on %i thread(s)', (n) => {
  const threads = pools.get(n)!;

  test('applyCombat and applyEncoded give core\u2019s values bit for bit, and reproduce the training output', async () => {
    const applied = await threads.applyCombat(model, matrix, covariates);
    const core = applyCombat(model, matrix, covariates);
    expect(bits(applied.data).equals(bits(core.data))).toBe(true);
    expect(applied.model).toBe(core.model);
    expect(applied.warnings).toEqual(core.warnings);
    const rows = encodeCovariates(model.coding, covariates);
    expect(bits(await threads.applyEncoded(model, matrix, rows)).equals(bits(applyEncoded(model, matrix, rows)))).toBe(true);
    let worst = 0;
    applied.data.forEach((x, k) => (worst = Math.max(worst, Math.abs(x - (trained[k] as number)))));
    expect(worst).toBeLessThan(1e-10);
  });

  test('refuses what core refuses, with core\u2019s errors: new batches to estimate, a missing value', async () => {
    const unseen = { ...covariates, batch: covariates.batch.map(() => 'siteZ') };
    const estimate = await rejectionBy(threads.applyCombat(model, matrix, unseen, { newBatches: 'estimate' }), UnknownBatchError);
    expect(estimate.message).toBe(thrownBy(() => applyCombat(model, matrix, unseen, { newBatches: 'estimate' }), UnknownBatchError).message);
    expect(estimate.message).toContain('CovBat');
    const data = matrix.data.slice();
    data[5] = Number.NaN;
    const missing = await rejectionBy(threads.applyCombat(model, { ...matrix, data }, covariates), InvalidValueError);
    expect(missing).toMatchObject({ message: thrownBy(() => applyCombat(model, { ...matrix, data }, covariates), InvalidValueError).message, sample: 0, feature: 5 });
  });

  test('applyEncoded names a sample of a later range by its row in the whole matrix, as core does; blocks fewer than the threads', async () => {
    const rows = encodeCovariates(model.coding, covariates);
    const data = matrix.data.slice();
    const last = matrix.samples - 1;
    data[last * matrix.features + 2] = Number.NaN;
    const missing = await rejectionBy(threads.applyEncoded(model, { ...matrix, data }, rows), InvalidValueError);
    expect(missing).toMatchObject({ message: thrownBy(() => applyEncoded(model, { ...matrix, data }, rows), InvalidValueError).message, sample: last, feature: 2 });
    const unseen = { ...rows, batch: rows.batch.map((label, i) => (i === last ? 'siteZ' : label)) };
    const unknown = await rejectionBy(threads.applyEncoded(model, matrix, unseen), UnknownBatchError);
    expect(unknown).toMatchObject({ message: thrownBy(() => applyEncoded(model, matrix, unseen), UnknownBatchError).message, sample: last });
    const two = { data: matrix.data.slice(0, 2 * matrix.features), samples: 2, features: matrix.features };
    const twoRows = { samples: 2, batch: rows.batch.slice(0, 2), covariates: rows.covariates.slice(0, (2 * rows.covariates.length) / rows.samples) };
    expect(bits(await threads.applyEncoded(model, two, twoRows)).equals(bits(applyEncoded(model, two, twoRows)))).toBe(true);
  });
});
