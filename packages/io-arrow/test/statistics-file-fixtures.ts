import { CombatAccumulator, codeDesign, type CombatStatistics } from '@combat/core';
import { syntheticData } from '@combat/test-support';
import { expect } from 'vitest';
import { encodeStatisticsFile, type ModelFileExtras } from '../src/index.js';
import { bits, tableFileExtras, volumeFileExtras } from './model-file-fixtures.js';

/**
 * Statistics files: of a table (missing cells in two batches, so those batches have their missing
 * columns, and a categorical and a continuous covariate) and of volumes (a spline term and a mask
 * geometry), with what they were written from.
 */
export function statisticsFiles(): { name: string; statistics: CombatStatistics; extras: ModelFileExtras; bytes: Uint8Array }[] {
  const { matrix, covariates } = syntheticData({ seed: 11, batchSizes: [6, 5, 7], features: 5, missing: 0.2 });
  const table = new CombatAccumulator(codeDesign(covariates), 5).add(matrix, covariates).statistics();
  const tableExtras = tableFileExtras(['lh_a', 'lh_b', 'lh_c', 'rh_a', 'rh_b']);
  const complete = syntheticData({ seed: 12, batchSizes: [5, 6], features: 4 });
  const volume = new CombatAccumulator(codeDesign(complete.covariates, { splines: { age: { knots: [45], boundaryKnots: [20, 80] } } }), 4).add(complete.matrix, complete.covariates).statistics();
  const volumeExtras = volumeFileExtras([3, 2, 2], Int32Array.of(2, 3, 7, 11));
  return [
    { name: 'table', statistics: table, extras: tableExtras, bytes: encodeStatisticsFile(table, tableExtras) },
    { name: 'volume', statistics: volume, extras: volumeExtras, bytes: encodeStatisticsFile(volume, volumeExtras) },
  ];
}

/** Expects two statistics to be equal field by field, typed arrays bit for bit. */
export function expectSameStatistics(actual: CombatStatistics, expected: CombatStatistics): void {
  expect(actual.version).toBe(expected.version);
  expect(actual.features).toBe(expected.features);
  expect(actual.coding).toEqual(expected.coding);
  expect(actual.batches.map((batch) => batch.batch)).toEqual(expected.batches.map((batch) => batch.batch));
  expected.batches.forEach((batch, b) => {
    const other = actual.batches[b]!;
    expect(Object.keys(other).sort()).toEqual(Object.keys(batch).sort());
    for (const [key, value] of Object.entries(batch)) {
      const found = other[key as keyof typeof other];
      if (ArrayBuffer.isView(value)) {
        expect(found?.constructor, `${batch.batch}.${key}`).toBe(value.constructor);
        expect(bits(found as ArrayBufferView), `${batch.batch}.${key}`).toEqual(bits(value));
      } else {
        expect(found, `${batch.batch}.${key}`).toEqual(value);
      }
    }
  });
}
