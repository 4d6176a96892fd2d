import type { VolumeResource } from '@combat/base';
import type { CombatWarning, Covariates, EncodedRows } from '@combat/core';
import { checkFitBatches } from '@combat/core/internal';
import { accumulateRows, codeVolumes } from './accumulate-volumes.js';
import { requireResources } from './arguments.js';
import { requireCovariates } from './covariates.js';
import type { VolumeEstimates } from './estimates.js';
import { TooFewVolumesError } from './errors.js';
import { finalizeVolumes } from './finalize-volumes.js';
import { nameVolumes } from './naming.js';
import { requireFitOptions, type FitVolumesOptions } from './options.js';

/**
 * What {@link fitVolumes} returns: the fitted volume model and the fit's warnings (core's, with
 * the `unadjusted-features` message naming voxels as (i, j, k), by core's reasons; its `features`
 * stay positions in the mask).
 *
 * @example
 * ```ts
 * const result: FitVolumesResult = await fitVolumes(volumes, covariates, { mask });
 * result.warnings; // []
 * result.estimates.mask.indices; // Int32Array.of(0, 1, 3)
 * ```
 */
export interface FitVolumesResult {
  readonly estimates: VolumeEstimates;
  readonly warnings: CombatWarning[];
}

/**
 * Fits ComBat to 3D volumes in one streaming pass: each volume is read once, checked against the
 * mask (shape, affine, finite in-mask voxels) and its in-mask voxels added to the sufficient
 * statistics, then dropped, so memory does not grow with the number of volumes
 * (`accumulateVolumes` then `finalizeVolumes`, with the batches checked first). The
 * covariates are core's, one entry per volume in the volumes' order; they and the options are
 * checked before any volume is read. Nothing is adjusted: give the estimates to `adjustVolumes` (for these
 * volumes or new subjects), or save them.
 *
 * @throws {@link TooFewVolumesError} when there are fewer than 2 volumes.
 * @throws {@link VolumeShapeError} when a volume is not 3D or the shapes (the mask's included) differ.
 * @throws `EmptyMaskError` when the mask has no voxel above 0.
 * @throws `AffineMismatchError` when a volume's affine differs from the mask's (unless allowed).
 * @throws `InvalidValueError` (core's) when a voxel inside the mask is infinite, or a covariate is
 * missing or not finite.
 * @throws `ShapeMismatchError` (core's) when the covariates do not give one value per volume.
 * @throws `TooFewBatchesError` (core's) when the volumes come from fewer than 2 batches,
 * `UnknownBatchError` when `refBatch` is not one of them, and core's other errors about the
 * design: a message that concerns one volume names it by its resource's `source` (the error's
 * `sample` is its index).
 * @throws `InvalidArgumentError` (base's) when an argument or option is of the wrong kind, or a
 * resource's `load()` gives something that is not a volume.
 * @example
 * ```ts
 * const { estimates: fitted, warnings } = await fitVolumes(volumes, covariates, { mask });
 * [...fitted.model.batches.keys()]; // ['A', 'B']
 * fitted.mask.source; // 'mask.nii.gz'
 * warnings; // []
 * await fitVolumes(volumes, covariates, { mask, refBatch: 'C' });
 * // throws UnknownBatchError: reference batch "C" is not among the batches (A, B)
 * ```
 */
export async function fitVolumes(volumes: readonly VolumeResource[], covariates: Covariates, options: FitVolumesOptions): Promise<FitVolumesResult> {
  const { estimates, warnings } = await fitWithRows(volumes, covariates, options);
  return { estimates, warnings };
}

/**
 * {@link fitVolumes}, also returning the covariates encoded with the model's coding, for a caller
 * that adjusts the same volumes next.
 */
export async function fitWithRows(volumes: readonly VolumeResource[], covariates: Covariates, options: FitVolumesOptions): Promise<FitVolumesResult & { rows: EncodedRows }> {
  requireResources(volumes, 'volumes');
  requireFitOptions(options);
  if (volumes.length < 2) {
    throw new TooFewVolumesError(`expected at least 2 volumes to harmonize; found ${volumes.length}`);
  }
  requireCovariates(covariates, volumes);
  const { coding, rows } = codeVolumes(volumes, covariates, options);
  nameVolumes(volumes, () => checkFitBatches(rows.batch, options.refBatch ?? null));
  const accumulated = await accumulateRows(volumes, coding, rows, options);
  // The splines are in the coding now.
  const { splines: _coded, ...fitOptions } = options;
  return { ...finalizeVolumes(accumulated, fitOptions), rows };
}
