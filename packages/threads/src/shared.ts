import type { CombatModel, DataMatrix } from '@combat/core';
import type { Allocate } from '@combat/core/internal';

/** Shared memory, for what the calling thread and the workers hand to one another without a copy. */
export const allocateShared: Allocate = (bytes) => new SharedArrayBuffer(bytes);

/** Refuses to go on where memory cannot be shared (a browser page that is not cross-origin isolated). */
export function requireSharedMemory(): void {
  if (typeof SharedArrayBuffer !== 'function') {
    throw new TypeError('CombatThreads: this page cannot share memory with its workers (SharedArrayBuffer needs a cross-origin isolated page); serve it with COOP/COEP headers, or use { threads: 1 }');
  }
}

/** A typed array's values in shared memory: the array itself when they already are, else a copy. */
export function shareArray<T extends Float64Array | Float32Array | Int32Array | Uint8Array>(array: T): T {
  if (array.buffer instanceof SharedArrayBuffer) return array;
  const copy = new (array.constructor as new (buffer: SharedArrayBuffer) => T)(new SharedArrayBuffer(array.byteLength));
  copy.set(array as never);
  return copy;
}

/** The matrix with its values in shared memory (as given when they already are). */
export function shareMatrix(matrix: DataMatrix): DataMatrix {
  if (matrix.data.buffer instanceof SharedArrayBuffer) return matrix;
  return { data: shareArray(matrix.data), samples: matrix.samples, features: matrix.features };
}

/** The model with its arrays in shared memory, its CovBat part's too (copies, made once per model object: a caller applies one model to many blocks). */
export function shareModel(model: CombatModel): CombatModel {
  let shared = SHARED_MODELS.get(model);
  if (shared === undefined) {
    const batches = new Map(
      [...model.batches].map(([label, batch]) => [
        label,
        { ...batch, gammaHat: shareArray(batch.gammaHat), deltaHat: shareArray(batch.deltaHat), gammaStar: shareArray(batch.gammaStar), deltaStar: shareArray(batch.deltaStar), adjusted: shareArray(batch.adjusted) },
      ]),
    );
    shared = { ...model, beta: shareArray(model.beta), grandMean: shareArray(model.grandMean), varPooled: shareArray(model.varPooled), adjusted: shareArray(model.adjusted), batches };
    const { covbat } = model;
    if (covbat !== undefined) {
      const scores = new Map([...covbat.batches].map(([label, batch]) => [label, { location: shareArray(batch.location), scale: shareArray(batch.scale) }]));
      shared = { ...shared, covbat: { ...covbat, center: shareArray(covbat.center), sd: shareArray(covbat.sd), loadings: shareArray(covbat.loadings), mean: shareArray(covbat.mean), batches: scores } };
    }
    SHARED_MODELS.set(model, shared);
  }
  return shared;
}

const SHARED_MODELS = new WeakMap<CombatModel, CombatModel>();
