import { CombatError, InvalidArgumentError, type ErrorContext, type MaskGeometry, type Volume, type VolumeResource } from '@combat/base';
import { describeValue, formatVoxel } from '@combat/base/internal';
import {
  CombatAccumulator,
  ShapeMismatchError,
  applyEncoded,
  codeDesign,
  encodeCovariates,
  finalizeModel,
  type CombatOptions,
  type CombatWarning,
  type Covariates,
  type EncodedRows,
} from '@combat/core';
import { requireFunction, requireObject, requireResource, requireResources } from './arguments.js';
import { checkAll, checkMasked, describeVolume, requireCheckOptions, type CheckOptions } from './check-volumes.js';
import { requireEstimates, type VolumeEstimates } from './estimates.js';
import { TooFewVolumesError, VolumeShapeError } from './errors.js';
import { checkShape, describeMask, formatShape, indicesAboveZero, unflattenMasked } from './mask.js';

/**
 * Options shared by fitting and adjusting volumes: the checks against the mask, progress, and
 * what becomes of voxels outside the mask.
 *
 * @example
 * ```ts
 * const options: AdjustOptions = { preserveOutOfMask: true };
 * const [first] = (await harmonizeVolumes(volumes, covariates, { ...options, mask })).harmonized;
 * // Voxel 2 is outside the mask: kept as it was.
 * first.data[2]; // 9
 * ```
 */
export interface AdjustOptions extends CheckOptions {
  /** Keep out-of-mask voxels as they were (default: set them to 0). */
  readonly preserveOutOfMask?: boolean;
}

/**
 * Options of {@link harmonizeVolumes} and {@link harmonizeVolumesStreaming}: the mask, ComBat's
 * modes (as in `@combat/core`), and what to do with voxels outside the mask and with affines that
 * differ from the mask's.
 *
 * @example
 * ```ts
 * const options: HarmonizeVolumesOptions = { mask, refBatch: 'A', preserveOutOfMask: true };
 * const { estimates: fitted } = await harmonizeVolumes(volumes, covariates, options);
 * fitted.model.coding.refBatch; // 'A'
 * ```
 */
export interface HarmonizeVolumesOptions extends CombatOptions, AdjustOptions {
  /** Voxels where the mask is above 0 are harmonized; its `source` (the file) is named in messages. */
  readonly mask: VolumeResource;
}

/**
 * Options of {@link adjustVolumes}.
 *
 * @example
 * ```ts
 * const options: AdjustVolumesOptions = { preserveOutOfMask: false, checkFirst: true };
 * await adjustVolumes(estimates, volumes, covariates, () => {}, options); // undefined
 * ```
 */
export interface AdjustVolumesOptions extends AdjustOptions {
  /**
   * Read and check every volume (see {@link checkVolumes}) before the first goes to the sink, so a
   * bad volume is found before any output exists (default true). False reads each volume once.
   */
  readonly checkFirst?: boolean;
}

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
 * (core's, with the `unadjusted-features` message naming voxels as (i, j, k); its `features` stay
 * positions in the mask).
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
 * with its input's shape, affine, header and source; they come in input order, with the
 * estimates and the warnings. It is {@link harmonizeVolumesStreaming} with a sink that collects.
 *
 * @throws {@link TooFewVolumesError} when there are fewer than 2 volumes.
 * @throws {@link VolumeShapeError} when a volume is not 3D or the shapes (the mask's included) differ.
 * @throws {@link EmptyMaskError} when the mask has no voxel above 0.
 * @throws {@link AffineMismatchError} when a volume's affine differs from the mask's (unless allowed).
 * @throws {@link InvalidValueError} (core's) when a voxel inside the mask is infinite, or a
 * covariate is missing or not finite.
 * @throws {@link ShapeMismatchError} (core's) when the covariates do not give one value per volume.
 * @throws {@link TooFewBatchesError} (core's), and core's other errors about the design: a message
 * that concerns one volume names it by its resource's `source` (the error's `sample` is its index).
 * @throws {@link InvalidArgumentError} when an argument is of the wrong kind, or a resource's
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
 * @throws {@link TooFewVolumesError}, {@link VolumeShapeError}, {@link EmptyMaskError},
 * {@link AffineMismatchError}, core's errors and {@link InvalidArgumentError}, as
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
  requireFunction(sink, 'sink');
  requireObject(options, 'options');
  requireResource(options.mask, 'options.mask');
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
  const firstName = describeVolume(volumes[0]!, 0, volumes.length);
  checkShape(first, firstName);
  if (mask.shape.some((n, axis) => n !== first.shape[axis])) {
    throw new VolumeShapeError(`${describeMask(mask.source)} has shape ${formatShape(mask.shape)}; expected the volumes' shape ${formatShape(first.shape)} (${firstName}'s)`);
  }
  const features = mask.indices.length;
  const accumulator = new CombatAccumulator(coding, features);
  const row = new Float64Array(features);
  for (let i = 0; i < volumes.length; i++) {
    const volume = i === 0 ? first : await volumes[i]!.load();
    checkMasked(volume, describeVolume(volumes[i]!, i, volumes.length), mask, options, row);
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
 * {@link checkVolumes}) before the sink is called once, so a bad fifth image is found before
 * four outputs exist; `checkFirst: false` skips it.
 *
 * @throws {@link VolumeShapeError}, {@link AffineMismatchError} and core's `InvalidValueError`
 * when a volume does not fit the mask (see {@link checkVolumes}).
 * @throws {@link UnknownBatchError} (core's) when a batch was not seen in training,
 * `UnknownCovariateError` when a covariate or a level is unknown or missing, and core's other
 * errors about covariates: a message that concerns one volume names it by its resource's `source`.
 * @throws {@link ShapeMismatchError} (core's) when the covariates do not give one value per volume.
 * @throws {@link InvalidArgumentError} when an argument is of the wrong kind, such as estimates
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
  requireFunction(sink, 'sink');
  requireCheckOptions(options);
  const checked = options ?? {};
  if (checked.checkFirst !== undefined && typeof checked.checkFirst !== 'boolean') {
    throw new InvalidArgumentError(`options.checkFirst: expected true, false or undefined; received ${describeValue(checked.checkFirst)}`);
  }
  requireCovariates(covariates, volumes);
  const rows = nameVolumes(volumes, () => encodeCovariates(estimates.model.coding, covariates));
  if (checked.checkFirst ?? true) await checkAll(volumes, estimates.mask, checked);
  await adjustAll(estimates, volumes, rows, checked, sink);
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
    checkMasked(volume, describeVolume(resource, i, volumes.length), mask, options, row);
    applyEncoded(model, { data: row, samples: 1, features }, rowOf(rows, i), adjusted);
    await sink(unflattenMasked(adjusted, mask.indices, volume as Volume<H>, options.preserveOutOfMask ?? false, resource.source), i);
    options.onProgress?.({ phase: 'adjust', done: i + 1, total: volumes.length });
  }
}

/**
 * Checks what the covariates must be for volumes before core checks the rest: an object whose
 * `batch` is an array with one label per volume.
 */
function requireCovariates(covariates: unknown, volumes: readonly VolumeResource[]): asserts covariates is Covariates {
  requireObject(covariates, 'covariates');
  const { batch } = covariates as Record<string, unknown>;
  if (!Array.isArray(batch)) throw new InvalidArgumentError(`covariates.batch: expected an array of batch labels, one per volume; received ${describeValue(batch)}`);
  if (batch.length !== volumes.length) {
    throw new ShapeMismatchError(`covariates.batch has ${batch.length} labels; expected one per volume (${volumes.length})`);
  }
}

/**
 * Runs core's covariate checks and coding; an error about one sample gets, in front of its
 * detail, the source of that sample's volume (its `sample` stays the volume's index).
 */
function nameVolumes<T>(volumes: readonly VolumeResource[], work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (!(error instanceof CombatError) || error.sample === undefined) throw error;
    const source = volumes[error.sample]?.source;
    if (!source) throw error;
    const Kind = error.constructor as new (detail: string, context?: ErrorContext) => CombatError;
    throw new Kind(`${source}: ${error.detail}`, { sample: error.sample, feature: error.feature, remedy: error.remedy });
  }
}

/** Loads and checks the mask; its geometry, with the resource's source (else the volume's). */
async function loadMask(resource: VolumeResource): Promise<MaskGeometry> {
  const volume = await resource.load();
  checkShape(volume, describeMask(resource.source));
  const source = resource.source || volume.source;
  const geometry = { shape: [...volume.shape], affine: volume.affine.slice(), indices: indicesAboveZero(volume, describeMask(source)) };
  return source ? { ...geometry, source } : geometry;
}

/** The unadjusted-features warning with its message naming voxels as (i, j, k) (its `features` stay mask positions). */
function nameVoxels(warning: CombatWarning, mask: MaskGeometry): CombatWarning {
  if (warning.code !== 'unadjusted-features') return warning;
  const { features } = warning;
  const voxels = features.slice(0, 10).map((k) => formatVoxel(mask.indices[k], mask.shape));
  return {
    ...warning,
    message:
      `${features.length} voxel(s) inside the mask left unadjusted (constant within a batch, no finite value in a batch, or zero pooled variance): ` +
      `${voxels.join(', ')}${features.length > 10 ? ', ...' : ''}`,
  };
}

/** Sample i of encoded rows, as a one-row block. */
function rowOf(rows: EncodedRows, i: number): EncodedRows {
  const q = rows.covariates.length / rows.samples;
  return { samples: 1, batchIndex: rows.batchIndex.subarray(i, i + 1), covariates: rows.covariates.subarray(i * q, (i + 1) * q) };
}
