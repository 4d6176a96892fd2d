import { harmonize, applyCombat } from '@combat/core';
import { describe, expect, it } from 'vitest';
import { TableFormatError, decodeModelFile, encodeModelFile } from '../src/index.js';
import { syntheticData } from '../../core/test/synthetic.js';

function bits(array: ArrayBufferView): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

describe('the model file', () => {
  it('round-trips a model exactly, with NaN, Infinity and volume geometry', () => {
    const { matrix, covariates } = syntheticData({ seed: 9, batchSizes: [8, 7, 9], features: 6 });
    const data = matrix.data.slice();
    for (let i = 0; i < 8; i++) data[i * 6 + 3] = 42; // constant in siteA: feature 3 unadjusted, NaN estimates
    const { model } = harmonize({ ...matrix, data }, covariates, { refBatch: 'siteB' });
    expect(Array.from(model.aPrior).some((a) => a === Infinity)).toBe(true);
    const volume = { shape: [3, 2, 1], affine: Float64Array.of(2, 0, 0, -90, 0, 2, 0, -126, 0, 0, 2, -72, 0, 0, 0, 1), indices: Int32Array.of(0, 1, 2, 3, 4, 5) };
    const extras = { featureNames: ['a', 'b', 'c', 'd', 'e', 'f'], columns: { batchCol: 'site', categoricalCols: ['sex'], continuousCols: ['age'] }, volume };
    const back = decodeModelFile(encodeModelFile(model, extras), 'model.arrow');
    for (const [key, value] of Object.entries(model)) {
      const other = back.model[key as keyof typeof model];
      if (ArrayBuffer.isView(value)) expect(bits(other as ArrayBufferView), key).toEqual(bits(value));
      else expect(other, key).toEqual(value);
    }
    expect(back.featureNames).toEqual(extras.featureNames);
    expect(back.columns).toEqual(extras.columns);
    expect(back.volume).toEqual(volume);
    expect(applyCombat(back.model, { ...matrix, data }, covariates)).toEqual(applyCombat(model, { ...matrix, data }, covariates));
  });

  it('refuses a file that is not a model', () => {
    expect(() => decodeModelFile(new TextEncoder().encode('hello'), 'x.arrow')).toThrow(TableFormatError);
  });
});
