import { CombatAccumulator, applyEncoded, codeDesign, encodeCovariates, finalizeModel, type CombatOptions, type CombatWarning, type EncodedRows, InvalidArgumentError } from '@combat/core';
import { describeValue, requireFunction, requireObject, requireResource, requireResources } from './arguments.js';
import { checkAll, checkMasked, requireCheckOptions, volumeName, type CheckOptions, type MaskGeometry } from './check-volumes.js';
import { tableCovariates, type CovariateColumns, type CovariateTable } from './covariate-table.js';
import { requireEstimates, type VolumeEstimates } from './estimates.js';
import { TooFewVolumesError, VolumeShapeError } from './errors.js';
import { checkShape, formatShape, formatVoxel, maskIndices, unflattenMasked } from './mask.js';
import { InMemoryVolumeResource, type Volume, type VolumeResource } from './volume.js';

/**
 * Options of {@link harmonizeVolumes}: which covariate columns to use, the mask, ComBat's modes,
 * and what to do with voxels outside the mask and with affines that differ from the mask's.
 *
 * @example
 * ```ts
 * const options: HarmonizeVolumesOptions = { batchCol: 'site', continuousCols: ['age'], mask, preserveOutOfMask: true };
 * ```
 */
export interface HarmonizeVolumesOptions extends CovariateColumns, CombatOptions, AdjustOptions {
  /** Voxels where the mask is above 0 are harmonized; its `name` (the file) is named in messages. */
  readonly mask: VolumeResource;
}

/**
 * Options shared by fitting and adjusting volumes: the checks against the mask, progress, and
 * what becomes of voxels outside the mask.
 *
 * @example
 * ```ts
 * const options: AdjustOptions = { preserveOutOfMask: true, onProgress: ({ phase, done, total }) => console.log(phase, done, total) };
 * ```
 */
export interface AdjustOptions extends CheckOptions {
  /** Keep out-of-mask voxels as they were (default: set them to 0). */
  readonly preserveOutOfMask?: boolean;
}

/**
 * Options of {@link adjustVolumes}.
 *
 * @example
 * ```ts
 * const options: AdjustVolumesOptions = { preserveOutOfMask: false, checkFirst: true };
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
 * const sink: VolumeSink = async (volume, index) => writeNifti(outputs[index], volume);
 * ```
 */
export type VolumeSink = (volume: Volume, index: number) => void | Promise<void>;

/**
 * ComBat for 3D volumes, with the behaviour of kwneuro's `harmonize_volumes`: volumes of one
 * shape, a mask (`> 0`), covariates from a table with one row per volume; out-of-mask voxels 0 or
 * preserved; inputs never modified; results in input order with the estimates.
 *
 * @example
 * ```ts
 * const { harmonized, estimates } = await harmonizeVolumes(volumes, { site, age }, {
 *   batchCol: 'site', continuousCols: ['age'], mask: maskResource,
 * });
 * const first = await harmonized[0].load();
 * ```
 */
export async function harmonizeVolumes(
  volumes: readonly VolumeResource[],
  covars: CovariateTable,
  options: HarmonizeVolumesOptions,
): Promise<{ harmonized: InMemoryVolumeResource[]; estimates: VolumeEstimates }> {
  const harmonized: InMemoryVolumeResource[] = [];
  const estimates = await harmonizeVolumesStreaming(volumes, covars, options, (volume, index) => {
    harmonized[index] = new InMemoryVolumeResource(volume, volumes[index]!.name);
  });
  return { harmonized, estimates };
}

/**
 * {@link harmonizeVolumes} one volume at a time: each volume is read twice (accumulate, then
 * adjust) and each harmonized volume goes to `sink` as soon as it is ready, so memory does not
 * grow with the number of volumes. Gives the same volumes as the in-memory call. The first pass
 * reads and checks every volume (shape, affine, finite in-mask voxels) before the sink is called
 * once, so a bad volume stops the run before any output exists.
 *
 * @example
 * ```ts
 * const estimates = await harmonizeVolumesStreaming(files, covars, { batchCol: 'site', mask }, async (volume, i) => {
 *   await writeNifti(`out/${names[i]}`, volume);
 * });
 * ```
 */
export async function harmonizeVolumesStreaming(
  volumes: readonly VolumeResource[],
  covars: CovariateTable,
  options: HarmonizeVolumesOptions,
  sink: VolumeSink,
): Promise<VolumeEstimates> {
  requireResources(volumes, 'volumes');
  requireObject(options, 'options');
  requireResource(options.mask, 'options.mask');
  requireCheckOptions(options);
  requireFunction(sink, 'sink');
  if (volumes.length < 2) {
    throw new TooFewVolumesError(`expected at least 2 volumes to harmonize; found ${volumes.length}`);
  }
  const covariates = tableCovariates(covars, volumes.length, options, { names: volumes.map((v) => v.name) });
  const coding = codeDesign(covariates, { refBatch: options.refBatch ?? null });
  const rows = encodeCovariates(coding, covariates);
  const mask = await loadMask(options.mask);
  const first = await volumes[0]!.load();
  const firstName = volumeName(volumes[0]!, 0, volumes.length);
  checkShape(first, firstName);
  if (mask.shape.some((n, axis) => n !== first.shape[axis])) {
    throw new VolumeShapeError(`${maskLabel(mask.name)} has shape ${formatShape(mask.shape)}; expected the volumes' shape ${formatShape(first.shape)} (${firstName}'s)`);
  }
  const features = mask.indices.length;
  const accumulator = new CombatAccumulator(coding, features);
  const row = new Float64Array(features);
  for (let i = 0; i < volumes.length; i++) {
    const volume = i === 0 ? first : await volumes[i]!.load();
    checkMasked(volume, volumeName(volumes[i]!, i, volumes.length), mask, options, row);
    accumulator.addEncoded({ data: row, samples: 1, features }, rowOf(rows, i));
    options.onProgress?.({ phase: 'fit', done: i + 1, total: volumes.length });
  }
  const { model, warnings } = finalizeModel(accumulator, options);
  const estimates: VolumeEstimates = {
    model,
    warnings: warnings.map((warning) => nameVoxels(warning, mask)),
    mask,
    columns: { batchCol: options.batchCol, categoricalCols: options.categoricalCols ?? [], continuousCols: options.continuousCols ?? [] },
  };
  await adjustAll(estimates, volumes, rows, options, sink);
  return estimates;
}

/**
 * Applies fitted volume estimates to volumes (new subjects from the training sites, or the
 * training volumes themselves), one at a time, each with its own covariates from `covars` (the
 * same columns as in training). Each adjusted volume goes to `sink` in input order. By default a
 * first pass reads and checks every volume (see {@link checkVolumes}) before the sink is called
 * once, so a bad fifth image is found before four outputs exist; `checkFirst: false` skips it.
 *
 * @example
 * ```ts
 * await adjustVolumes(estimates, newScans, { site: ['B'], age: [70] }, { preserveOutOfMask: false }, (volume, i) => save(volume, i));
 * ```
 */
export async function adjustVolumes(
  estimates: VolumeEstimates,
  volumes: readonly VolumeResource[],
  covars: CovariateTable,
  options: AdjustVolumesOptions = {},
  sink: VolumeSink,
): Promise<void> {
  requireEstimates(estimates);
  requireResources(volumes, 'volumes');
  requireCheckOptions(options);
  if (options.checkFirst !== undefined && typeof options.checkFirst !== 'boolean') {
    throw new InvalidArgumentError(`options.checkFirst: expected true, false or undefined; received ${describeValue(options.checkFirst)}`);
  }
  requireFunction(sink, 'sink');
  const covariates = tableCovariates(covars, volumes.length, estimates.columns, { names: volumes.map((v) => v.name) });
  const rows = encodeCovariates(estimates.model.coding, covariates);
  if (options.checkFirst ?? true) await checkAll(volumes, estimates.mask, options);
  await adjustAll(estimates, volumes, rows, options, sink);
}

/** The adjust pass: each volume loaded, checked, adjusted and given to the sink, in order. */
async function adjustAll(estimates: VolumeEstimates, volumes: readonly VolumeResource[], rows: EncodedRows, options: AdjustOptions, sink: VolumeSink): Promise<void> {
  const { model, mask } = estimates;
  const features = mask.indices.length;
  const row = new Float64Array(features);
  const adjusted = new Float64Array(features);
  for (let i = 0; i < volumes.length; i++) {
    const volume = await volumes[i]!.load();
    checkMasked(volume, volumeName(volumes[i]!, i, volumes.length), mask, options, row);
    applyEncoded(model, { data: row, samples: 1, features }, rowOf(rows, i), adjusted);
    await sink(unflattenMasked(adjusted, mask.indices, volume, options.preserveOutOfMask ?? false), i);
    options.onProgress?.({ phase: 'adjust', done: i + 1, total: volumes.length });
  }
}

/** Loads and checks the mask; its geometry, with the resource's name. */
async function loadMask(resource: VolumeResource): Promise<MaskGeometry> {
  const volume = await resource.load();
  checkShape(volume, maskLabel(resource.name));
  const geometry = { shape: [...volume.shape], affine: volume.affine.slice(), indices: maskIndices(volume, { name: maskLabel(resource.name) }) };
  return resource.name ? { ...geometry, name: resource.name } : geometry;
}

function maskLabel(name: string | undefined): string {
  return name ? `the mask (${name})` : 'the mask';
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
