import type { Volume, VolumeResource } from '@combat/base';
import { checkFunction } from '@combat/base/internal';
import type { Covariates } from '@combat/core';
import { adjustAll, type VolumeSink } from './adjust-volumes.js';
import { requireResources } from './arguments.js';
import { fitWithRows, type FitVolumesResult } from './fit-volumes.js';
import { keepVolumes } from './kept-volumes.js';
import { requireFitOptions, type HarmonizeVolumesOptions } from './options.js';

/**
 * What {@link harmonizeVolumesStreaming} returns: what `fitVolumes` returns, the fitted volume
 * model and the fit's warnings.
 *
 * @example
 * ```ts
 * const result: HarmonizeVolumesStreamingResult = await harmonizeVolumesStreaming(volumes, covariates, () => {}, { mask });
 * result.warnings; // []
 * result.estimates.mask.indices; // Int32Array.of(0, 1, 3)
 * ```
 */
export type HarmonizeVolumesStreamingResult = FitVolumesResult;

/**
 * What {@link harmonizeVolumes} returns: the harmonized volumes in input order, besides the
 * estimates and warnings of the fit.
 *
 * @example
 * ```ts
 * const result: HarmonizeVolumesResult = await harmonizeVolumes(volumes, covariates, { mask });
 * result.harmonized.length; // 6
 * [...result.estimates.model.batches.keys()]; // ['A', 'B']
 * ```
 */
export interface HarmonizeVolumesResult<H = unknown> extends FitVolumesResult {
  readonly harmonized: Volume<H>[];
}

/**
 * ComBat for 3D volumes, with the behaviour of kwneuro's `harmonize_volumes`: volumes of one
 * shape, a mask (`> 0`), core covariates with one entry per volume in the volumes' order;
 * out-of-mask voxels 0 or preserved; inputs never modified. Each harmonized volume is float64,
 * with its input's shape, affine, header and source (its resource's `source`, else the loaded
 * volume's, the name messages give it); they come in input order, with the estimates and the
 * warnings. It is {@link harmonizeVolumesStreaming} with a sink that collects.
 *
 * @throws `TooFewVolumesError` when there are fewer than 2 volumes.
 * @throws `VolumeShapeError` when a volume is not 3D or the shapes (the mask's included) differ.
 * @throws `EmptyMaskError` when the mask has no voxel above 0.
 * @throws `AffineMismatchError` when a volume's affine differs from the mask's (unless allowed).
 * @throws `InvalidValueError` (core's) when a voxel inside the mask is infinite, or a covariate is
 * missing or not finite.
 * @throws `ShapeMismatchError` (core's) when the covariates do not give one value per volume.
 * @throws `TooFewBatchesError` (core's), and core's other errors about the design: a message that
 * concerns one volume names it by its resource's `source` (the error's `sample` is its index).
 * @throws `InvalidArgumentError` (base's) when an argument is of the wrong kind, or a resource's
 * `load()` gives something that is not a volume.
 * @example
 * ```ts
 * const { harmonized, estimates, warnings } = await harmonizeVolumes(volumes, covariates, { mask });
 * harmonized.length; // 6
 * harmonized[0].source; // 'sub-01.nii.gz'
 * harmonized[0].shape; // [2, 2, 1]
 * harmonized[0].data[2]; // 0
 * estimates.mask.indices; // Int32Array.of(0, 1, 3)
 * warnings; // []
 * await harmonizeVolumes(volumes, { batch: ['A', 'A', 'B'] }, { mask });
 * // throws ShapeMismatchError: covariates.batch has 3 labels; expected one per volume (6)
 * ```
 */
export async function harmonizeVolumes<H>(volumes: readonly VolumeResource<H>[], covariates: Covariates, options: HarmonizeVolumesOptions): Promise<HarmonizeVolumesResult<H>> {
  const harmonized: Volume<H>[] = [];
  const fit = await harmonizeVolumesStreaming(
    volumes,
    covariates,
    (volume, index) => {
      harmonized[index] = volume;
    },
    options,
  );
  return { harmonized, ...fit };
}

/**
 * {@link harmonizeVolumes} streaming: `fitVolumes`, then `adjustVolumes` of the same volumes, with
 * the next volumes loaded while one is worked on. The fit keeps each volume's in-mask voxels, in
 * the type they were read in, within `memoryBudget` (default 1 GiB; whole volumes with
 * `preserveOutOfMask`), so the adjust pass reads only the volumes beyond it again; each harmonized
 * volume goes to `sink` as soon as it is ready (see {@link VolumeSink}), so memory stays within the
 * budget and a few volumes whatever their number. Gives the same volumes as the in-memory call,
 * bit for bit, whatever the budget. The fit reads and checks every volume (shape, affine, finite
 * in-mask voxels) before the sink is called once, so a bad volume stops the run before any output
 * exists.
 *
 * @throws `TooFewVolumesError`, `VolumeShapeError`, `EmptyMaskError`, `AffineMismatchError`,
 * core's errors and `InvalidArgumentError`, as {@link harmonizeVolumes} does.
 * @example
 * ```ts
 * const sources: (string | undefined)[] = [];
 * const { estimates: fitted } = await harmonizeVolumesStreaming(volumes, covariates, (volume, index) => {
 *   sources[index] = volume.source;
 * }, { mask });
 * sources; // ['sub-01.nii.gz', 'sub-02.nii.gz', 'sub-03.nii.gz', 'sub-04.nii.gz', 'sub-05.nii.gz', 'sub-06.nii.gz']
 * fitted.model.features; // 3
 * ```
 */
export async function harmonizeVolumesStreaming<H>(
  volumes: readonly VolumeResource<H>[],
  covariates: Covariates,
  sink: VolumeSink<H>,
  options: HarmonizeVolumesOptions,
): Promise<HarmonizeVolumesStreamingResult> {
  checkFunction(sink, 'sink');
  requireResources(volumes, 'volumes');
  requireFitOptions(options);
  const kept = keepVolumes(volumes, options);
  const { estimates, warnings, rows } = await fitWithRows(kept, covariates, options);
  await adjustAll(estimates, kept, rows, options, sink);
  return { estimates, warnings };
}
