import { expect } from 'vitest';
import type { BatchEffects, CombatModel } from '../src/index.js';

/** A per-batch field of every batch, stacked batch-major (B x V for arrays, B for priors), as the fixtures hold them. */
export function stackBatches(model: CombatModel, name: keyof BatchEffects): Float64Array {
  return Float64Array.from([...model.batches.values()].flatMap((batch) => {
    const value = batch[name];
    return typeof value === 'number' ? [value] : typeof value === 'boolean' ? [Number(value)] : Array.from(value);
  }));
}

/** The model's batch labels, in order. */
export function batchLabels(model: CombatModel): string[] {
  return [...model.batches.keys()];
}

/** The bytes of a typed array, to compare values bit for bit (NaN payloads and -0 included). */
export function bits(array: ArrayBufferView): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

/** Expects two models equal bit for bit: every field, every batch's effects, the batches in order. */
export function expectIdentical(actual: CombatModel, expected: CombatModel): void {
  const same = (a: object, e: object) => {
    for (const [key, value] of Object.entries(e)) {
      const other = (a as Record<string, unknown>)[key];
      if (ArrayBuffer.isView(value)) expect(bits(other as ArrayBufferView), key).toEqual(bits(value));
      else if (!(value instanceof Map)) expect(other, key).toEqual(value);
    }
  };
  same(actual, expected);
  expect(batchLabels(actual)).toEqual(batchLabels(expected));
  for (const [label, batch] of expected.batches) same(actual.batches.get(label)!, batch);
}
