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
