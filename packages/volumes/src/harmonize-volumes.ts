import type { Volume, VolumeResource } from '@combat/base';
import { checkBoolean, checkFunction, checkObject } from '@combat/base/internal';
import {
  CombatAccumulator,
  applyEncoded,
  codeDesign,
  encodeCovariates,
  finalizeModel,
  type CombatOptions,
  type CombatWarning,
  type Covariates,
  type EncodedRows,
} from '@combat/core';
import { requireResource, requireResources } from './arguments.js';
import { checkAll, checkMasked, requireCheckOptions } from './check-volumes.js';
import { requireCovariates, rowOf } from './covariates.js';
import { requireEstimates, type VolumeEstimates } from './estimates.js';
import { TooFewVolumesError, VolumeShapeError } from './errors.js';
import { checkShape, formatShape, loadMask, unflattenMasked } from './mask.js';
import { describeMask, describeVolume, nameVolumes, nameVoxels, volumeSource } from './naming.js';
import type { AdjustOptions, AdjustVolumesOptions, HarmonizeVolumesOptions } from './options.js';

/**
 * Receives each harmonized volume as soon as it is ready, with its index in the input order.
 *
 * @example
 * ```ts
 * const means: number[] = [];
 * const sink: VolumeSink = (volume, index) => void (means[index] = (volume.data[0] + volume.data[1] + volume.data[3]) / 3);
 * await harmonizeVolumesStreaming(volumes, covariates, sink, { mask });
 * means.length; // 6
 * ```
 */
export type VolumeSink<H = unknown> = (volume: Volume<H>, index: number) => void | Promise<void>;

/**
 * What {@link harmonizeVolumesStreaming} returns: the fitted volume model and the fit's warnings
 * (core's, with the `unadjusted-features` message naming voxels as (i, j, k), by core's reasons;
 * its `features` stay positions in the mask).
 *
 * @example
 * ```ts
 * const result: HarmonizeVolumesStreamingResult = await harmonizeVolumesStreaming(volumes, covariates, () => {}, { mask });
 * result.warnings; // []
 * result.estimates.mask.indices; // Int32Array.of(0, 1, 3)
 * ```
 */
export interface HarmonizeVolumesStreamingResult {
  readonly estimates: VolumeEstimates;
  readonly warnings: CombatWarning[];
}

/**
 * What {@link harmonizeVolumes} returns: the harmonized volumes in input order, besides the
 * estimates and warnings of the fit.
 *
 * @example
 * ```ts
 * const result: HarmonizeVolumesResult = await harmonizeVolumes(volumes, covariates, { mask });
 * result.harmonized.length; // 6
 * result.estimates.model.batches; // ['A', 'B']
 * ```
 */
export interface HarmonizeVolumesResult<H = unknown> extends HarmonizeVolumesStreamingResult {
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
 * @throws {@link TooFewVolumesError} when there are fewer than 2 volumes.
 * @throws {@link VolumeShapeError} when a volume is not 3D or the shapes (the mask's included) differ.
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
 * {@link harmonizeVolumes} one volume at a time: each volume is read twice (accumulate, then
 * adjust) and each harmonized volume goes to `sink` as soon as it is ready, so memory does not
 * grow with the number of volumes. Gives the same volumes as the in-memory call. The first pass
 * reads and checks every volume (shape, affine, finite in-mask voxels) before the sink is called
 * once, so a bad volume stops the run before any output exists.
 *
 * @throws {@link TooFewVolumesError}, {@link VolumeShapeError}, `EmptyMaskError`,
 * `AffineMismatchError`, core's errors and `InvalidArgumentError`, as
 * {@link harmonizeVolumes} does.
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
  requireResources(volumes, 'volumes');
  checkFunction(sink, 'sink');
  requireResource(checkObject(options, 'options').mask, 'options.mask');
  requireCheckOptions(options);
  if (volumes.length < 2) {
    throw new TooFewVolumesError(`expected at least 2 volumes to harmonize; found ${volumes.length}`);
  }
  requireCovariates(covariates, volumes);
  const { refBatch, eb, parametric, meanOnly, maxIterations } = options;
  const { coding, rows } = nameVolumes(volumes, () => {
    const coding = codeDesign(covariates, { refBatch, eb, parametric, meanOnly, maxIterations } as CombatOptions);
    return { coding, rows: encodeCovariates(coding, covariates) };
  });
  const mask = await loadMask(options.mask);
  const first = await volumes[0]!.load();
  const firstName = describeVolume(volumes[0]!, first, 0, volumes.length);
  checkShape(first, firstName);
  if (mask.shape.some((n, axis) => n !== first.shape[axis])) {
    throw new VolumeShapeError(`${describeMask(mask.source)} has shape ${formatShape(mask.shape)}; expected the volumes' shape ${formatShape(first.shape)} (${firstName}'s)`);
  }
  const features = mask.indices.length;
  const accumulator = new CombatAccumulator(coding, features);
  const row = new Float64Array(features);
  for (let i = 0; i < volumes.length; i++) {
    const volume = i === 0 ? first : await volumes[i]!.load();
    checkMasked(volume, describeVolume(volumes[i]!, volume, i, volumes.length), mask, options, row);
    accumulator.addEncoded({ data: row, samples: 1, features }, rowOf(rows, i));
    options.onProgress?.({ phase: 'fit', done: i + 1, total: volumes.length });
  }
  const { model, warnings } = finalizeModel(accumulator, options);
  const estimates: VolumeEstimates = { model, mask };
  await adjustAll(estimates, volumes, rows, options, sink);
  return { estimates, warnings: warnings.map((warning) => nameVoxels(warning, mask)) };
}

/**
 * Applies fitted volume estimates to volumes (new subjects from the training batches, or the
 * training volumes themselves), one at a time, each with its own covariates (the covariates of
 * the training, one value per volume). Each adjusted volume goes to `sink` in input order, with
 * its input's header and source. By default a first pass reads and checks every volume (see
 * `checkVolumes`) before the sink is called once, so a bad fifth image is found before
 * four outputs exist; `checkFirst: false` skips it.
 *
 * @throws {@link VolumeShapeError}, `AffineMismatchError` and core's `InvalidValueError` when a
 * volume does not fit the mask (see `checkVolumes`).
 * @throws `UnknownBatchError` (core's) when a batch was not seen in training,
 * `UnknownCovariateError` when a covariate or a level is unknown or missing, and core's other
 * errors about covariates: a message that concerns one volume names it by its resource's `source`.
 * @throws `ShapeMismatchError` (core's) when the covariates do not give one value per volume.
 * @throws `InvalidArgumentError` (base's) when an argument is of the wrong kind, such as estimates
 * whose mask does not match the model.
 * @example
 * ```ts
 * const adjusted: number[] = [];
 * await adjustVolumes(estimates, volumes.slice(3), { batch: ['B', 'B', 'B'], continuous: { age: [58, 66, 74] } }, (volume, index) => {
 *   adjusted[index] = volume.data[2];
 * });
 * adjusted; // [0, 0, 0]
 * await adjustVolumes(estimates, volumes.slice(0, 1), { batch: ['C'], continuous: { age: [30] } }, () => {});
 * // throws UnknownBatchError: sub-01.nii.gz: batch "C" was not seen in training (known: A, B)
 * ```
 */
export async function adjustVolumes<H>(
  estimates: VolumeEstimates,
  volumes: readonly VolumeResource<H>[],
  covariates: Covariates,
  sink: VolumeSink<H>,
  options: AdjustVolumesOptions = {},
): Promise<void> {
  requireEstimates(estimates);
  requireResources(volumes, 'volumes');
  checkFunction(sink, 'sink');
  requireCheckOptions(options);
  if (options.checkFirst !== undefined) checkBoolean(options.checkFirst, 'options.checkFirst');
  requireCovariates(covariates, volumes);
  const rows = nameVolumes(volumes, () => encodeCovariates(estimates.model.coding, covariates));
  if (options.checkFirst ?? true) await checkAll(volumes, estimates.mask, options);
  await adjustAll(estimates, volumes, rows, options, sink);
}

/** The adjust pass: each volume loaded, checked, adjusted and given to the sink, in order. */
async function adjustAll<H>(estimates: VolumeEstimates, volumes: readonly VolumeResource<H>[], rows: EncodedRows, options: AdjustOptions, sink: VolumeSink<H>): Promise<void> {
  const { model, mask } = estimates;
  const features = mask.indices.length;
  const row = new Float64Array(features);
  const adjusted = new Float64Array(features);
  for (let i = 0; i < volumes.length; i++) {
    const resource = volumes[i]!;
    const volume = await resource.load();
    checkMasked(volume, describeVolume(resource, volume, i, volumes.length), mask, options, row);
    applyEncoded(model, { data: row, samples: 1, features }, rowOf(rows, i), adjusted);
    await sink(unflattenMasked(adjusted, mask.indices, volume as Volume<H>, options.preserveOutOfMask ?? false, volumeSource(resource, volume)), i);
    options.onProgress?.({ phase: 'adjust', done: i + 1, total: volumes.length });
  }
}
