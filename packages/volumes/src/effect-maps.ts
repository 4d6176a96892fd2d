import type { Volume } from '@combat/base';
import { refuseArgument } from '@combat/base/internal';
import { requireEstimates, type VolumeEstimates } from './estimates.js';

/**
 * One batch's (site's, scanner's) effects as volumes in the mask's space: `gammaStar` (additive,
 * in units of the pooled standard deviation) and `deltaStar` (multiplicative, on the variance).
 *
 * @example
 * ```ts
 * const [first]: BatchEffectMaps[] = batchEffectMaps(estimates);
 * first.batch; // 'A'
 * first.gammaStar.shape; // [2, 2, 1]
 * ```
 */
export interface BatchEffectMaps {
  readonly batch: string;
  readonly gammaStar: Volume;
  readonly deltaStar: Volume;
}

/**
 * The per-batch effect maps of a volume model, in the model's batch order (new batches estimated
 * by `adjustVolumes` included), with the mask's shape and affine. Voxels outside the mask are 0;
 * voxels inside it that were left unadjusted for the batch (see the `unadjusted-features`
 * warning) are NaN, as in the model.
 *
 * @throws `InvalidArgumentError` (base's) when `estimates` is not a volume model (a model whose
 * features are the mask's voxels, and a mask geometry).
 * @example
 * ```ts
 * const maps = batchEffectMaps(estimates);
 * maps.map(({ batch }) => batch); // ['A', 'B']
 * const { gammaStar } = maps[1];
 * gammaStar.data[2]; // 0
 * gammaStar.data[3] === estimates.model.batches.get('B')!.gammaStar[2]; // true
 * ```
 */
export function batchEffectMaps(estimates: VolumeEstimates): BatchEffectMaps[] {
  requireEstimates(estimates);
  const { model, mask } = estimates;
  const V = mask.indices.length;
  const toVolume = (values: Float64Array): Volume => {
    const data = new Float64Array(mask.shape.reduce((a, n) => a * n, 1));
    for (let k = 0; k < V; k++) data[mask.indices[k]] = values[k];
    return { data, shape: [...mask.shape], affine: mask.affine.slice() };
  };
  return [...model.batches].map(([batch, effects]) => {
    for (const name of ['gammaStar', 'deltaStar'] as const) {
      const values: unknown = effects?.[name];
      if (!(values instanceof Float64Array) || values.length !== V) {
        refuseArgument(`estimates.model.batches.get(${JSON.stringify(batch)}).${name}`, `a Float64Array of ${V} values, one per voxel`, values);
      }
    }
    return { batch, gammaStar: toVolume(effects.gammaStar), deltaStar: toVolume(effects.deltaStar) };
  });
}
