import { checkObject, refuseArgument } from '@combat/base/internal';
import { finalizeModel, type CombatOptions } from '@combat/core';
import type { VolumeStatistics } from './accumulate-volumes.js';
import type { FitVolumesResult } from './fit-volumes.js';
import { nameVoxels } from './naming.js';

/**
 * Fits a volume model from the statistics of volumes, the second half of `fitVolumes`: core's
 * `finalizeModel` on the statistics (of one {@link accumulateVolumes} call, or of several merged
 * with core's `mergeStatistics`) in ComBat's mode (`eb`, `parametric`, `meanOnly`, `refBatch`,
 * `maxIterations`; the splines are in the statistics' coding), with the mask's geometry. Returns
 * what `fitVolumes` returns: the estimates for `adjustVolumes` (or to save), and the fit's warnings,
 * the `unadjusted-features` message naming voxels as (i, j, k). Reads no volume.
 *
 * @throws `InvalidArgumentError` (base's) when the statistics are not statistics as an accumulator
 * makes them, the mask has no Int32Array of voxel indices, or the statistics do not have one
 * feature per voxel of the mask.
 * @throws `TooFewBatchesError`, `UnknownBatchError`, `ConfoundedDesignError`,
 * `TooFewFeaturesError` and core's other errors of `finalizeModel`.
 * @example
 * ```ts
 * const accumulated = await accumulateVolumes(volumes, covariates, { mask });
 * const { estimates: fitted, warnings } = finalizeVolumes(accumulated, { refBatch: 'A' });
 * [...fitted.model.batches.keys()]; // ['A', 'B']
 * fitted.mask.source; // 'mask.nii.gz'
 * warnings; // []
 * finalizeVolumes({ statistics: accumulated.statistics, mask: { ...accumulated.mask, indices: Int32Array.of(0, 1) } });
 * // throws InvalidArgumentError: accumulated.statistics.features: expected 2, one per voxel of accumulated.mask; received a number (3)
 * ```
 */
export function finalizeVolumes(accumulated: VolumeStatistics, options: CombatOptions = {}): FitVolumesResult {
  const { statistics, mask } = checkObject(accumulated, 'accumulated');
  // The geometry as the fit read it (adjusting checks the rest): one voxel index per feature.
  const { indices } = checkObject(mask, 'accumulated.mask');
  if (!(indices instanceof Int32Array)) refuseArgument('accumulated.mask.indices', 'an Int32Array of voxel indices', indices);
  const { features } = checkObject(statistics, 'accumulated.statistics');
  if (features !== indices.length) refuseArgument('accumulated.statistics.features', `${indices.length}, one per voxel of accumulated.mask`, features);
  const geometry = mask as VolumeStatistics['mask'];
  const { model, warnings } = finalizeModel(statistics as VolumeStatistics['statistics'], options);
  return { estimates: { model, mask: geometry }, warnings: warnings.map((warning) => nameVoxels(warning, geometry)) };
}
