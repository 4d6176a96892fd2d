import { InvalidArgumentError } from '@combat/core';
import { describeValue } from './arguments.js';
import { requireEstimates, type VolumeEstimates } from './estimates.js';
import type { Volume } from './volume.js';

/**
 * One site's scanner effects as volumes in the mask's space: `gammaStar` (additive, in units of
 * the pooled standard deviation) and `deltaStar` (multiplicative, on the variance).
 *
 * @example
 * ```ts
 * const [{ batch, gammaStar }] = siteEffectMaps(estimates);
 * ```
 */
export interface SiteEffectMaps {
  readonly batch: string;
  readonly gammaStar: Volume;
  readonly deltaStar: Volume;
}

/**
 * The per-site effect maps of a volume fit. Voxels outside the mask are 0; voxels inside it that
 * were left unadjusted (see the `unadjusted-features` warning) are NaN, as in the model.
 *
 * @example
 * ```ts
 * for (const { batch, gammaStar, deltaStar } of siteEffectMaps(estimates)) {
 *   await writeNifti(`gamma-${batch}.nii.gz`, gammaStar);
 * }
 * ```
 */
export function siteEffectMaps(estimates: VolumeEstimates): SiteEffectMaps[] {
  requireEstimates(estimates);
  const { model, mask } = estimates;
  const V = mask.indices.length;
  for (const name of ['gammaStar', 'deltaStar'] as const) {
    if (!(model[name] instanceof Float64Array) || model[name].length !== model.batches.length * V) {
      throw new InvalidArgumentError(`estimates.model.${name}: expected a Float64Array of batches x voxels = ${model.batches.length * V} values; received ${describeValue(model[name])}`);
    }
  }
  const toVolume = (values: Float64Array, b: number): Volume => {
    const data = new Float64Array(mask.shape.reduce((a, n) => a * n, 1));
    for (let k = 0; k < V; k++) data[mask.indices[k]] = values[b * V + k];
    return { shape: [...mask.shape], affine: mask.affine.slice(), data, metadata: {} };
  };
  return model.batches.map((batch, b) => ({ batch, gammaStar: toVolume(model.gammaStar, b), deltaStar: toVolume(model.deltaStar, b) }));
}
