import type { VolumeResource } from '@combat/base';
import { checkObject, refuseArgument } from '@combat/base/internal';
import { ShapeMismatchError, type Covariates, type EncodedRows } from '@combat/core';

/**
 * Checks what the covariates must be for volumes before core checks the rest: an object whose
 * `batch` is an array with one label per volume.
 */
export function requireCovariates(covariates: unknown, volumes: readonly VolumeResource[]): asserts covariates is Covariates {
  const { batch } = checkObject(covariates, 'covariates');
  if (!Array.isArray(batch)) refuseArgument('covariates.batch', 'an array of batch labels, one per volume', batch);
  if (batch.length !== volumes.length) {
    throw new ShapeMismatchError(`covariates.batch has ${batch.length} labels; expected one per volume (${volumes.length})`);
  }
}

/** Volume i's row of the encoded covariates, as a one-row block. */
export function rowOf(rows: EncodedRows, i: number): EncodedRows {
  const q = rows.covariates.length / rows.samples;
  return { samples: 1, batch: rows.batch.slice(i, i + 1), covariates: rows.covariates.subarray(i * q, (i + 1) * q) };
}
