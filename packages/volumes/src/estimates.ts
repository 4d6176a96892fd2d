import type { MaskGeometry } from '@combat/base';
import { checkObject, refuseArgument } from '@combat/base/internal';
import type { CombatModel } from '@combat/core';
import { requireGeometry } from './check-volumes.js';

/**
 * A fitted volume model: the ComBat model over the in-mask voxels (feature k is voxel
 * `mask.indices[k]`) and the mask's geometry (with its file as `mask.source`). What a volume fit
 * returns, what `adjustVolumes` and `batchEffectMaps` take, and what a saved volume model holds
 * (a model file's `{ model, mask }` can be given as it is).
 *
 * @example
 * ```ts
 * const fitted: VolumeEstimates = (await harmonizeVolumes(volumes, covariates, { mask })).estimates;
 * [...fitted.model.batches.keys()]; // ['A', 'B']
 * fitted.model.features; // 3
 * fitted.mask.indices; // Int32Array.of(0, 1, 3)
 * fitted.mask.source; // 'mask.nii.gz'
 * ```
 */
export interface VolumeEstimates {
  readonly model: CombatModel;
  readonly mask: MaskGeometry;
}

/**
 * Throws an InvalidArgumentError unless `estimates` has a model object with a Map of batches and
 * a mask geometry with one voxel per model feature.
 */
export function requireEstimates(estimates: unknown): asserts estimates is VolumeEstimates {
  const { model, mask } = checkObject(estimates, 'estimates');
  const { features, batches } = checkObject(model, 'estimates.model');
  requireGeometry(mask, 'estimates.mask');
  if (features !== mask.indices.length) refuseArgument('estimates.model.features', `${mask.indices.length}, one per voxel of estimates.mask`, features);
  if (!(batches instanceof Map)) refuseArgument('estimates.model.batches', 'a Map of batch effects by batch label', batches);
}
