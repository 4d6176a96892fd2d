import {
  CombatAccumulator,
  applyEncoded,
  codeDesign,
  encodeCovariates,
  finalizeModel,
  type CombatModel,
  type CombatOptions,
  type CombatWarning,
  type EncodedRows,
} from '@combat/core';
import { tableCovariates, type CovariateColumns, type CovariateTable } from './covariate-table.js';
import { AffineMismatchError, TooFewVolumesError, VolumeShapeError } from './errors.js';
import { checkShape, flattenInto, formatShape, maskIndices, unflatten } from './mask.js';
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
  /** Voxels where the mask is above 0 are harmonized. */
  readonly mask: VolumeResource;
}

/**
 * Options shared by fitting and adjusting volumes.
 *
 * @example
 * ```ts
 * const options: AdjustOptions = { preserveOutOfMask: true, onProgress: ({ phase, done, total }) => console.log(phase, done, total) };
 * ```
 */
export interface AdjustOptions {
  /** Keep out-of-mask voxels as they were (default: set them to 0). */
  readonly preserveOutOfMask?: boolean;
  /** Accept volumes whose affine differs from the mask's (default: an error). */
  readonly allowAffineMismatch?: boolean;
  /** Largest difference between affine entries, relative to max(1, |mask's entry|); default 1e-5. */
  readonly affineTolerance?: number;
  /** Called after each volume of each pass. */
  readonly onProgress?: (progress: { phase: 'fit' | 'adjust'; done: number; total: number }) => void;
}

/**
 * What a volume fit produced: the ComBat model over the in-mask voxels (feature k is voxel
 * `mask.indices[k]`), its warnings, the mask's geometry, and the covariate columns used.
 *
 * @example
 * ```ts
 * const { estimates } = await harmonizeVolumes(volumes, covars, options);
 * estimates.model.gammaStar; // B x (in-mask voxels)
 * ```
 */
export interface VolumeEstimates {
  readonly model: CombatModel;
  readonly warnings: CombatWarning[];
  readonly mask: { readonly shape: readonly number[]; readonly affine: Float64Array; readonly indices: Int32Array };
  readonly columns: CovariateColumns;
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
    harmonized[index] = new InMemoryVolumeResource(volume, volumes[index]?.name);
  });
  return { harmonized, estimates };
}

/**
 * {@link harmonizeVolumes} one volume at a time: each volume is read twice (accumulate, then
 * adjust) and each harmonized volume goes to `sink` as soon as it is ready, so memory does not
 * grow with the number of volumes. Gives the same volumes as the in-memory call.
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
  if (volumes.length < 2) {
    throw new TooFewVolumesError(`expected at least 2 volumes to harmonize; found ${volumes.length}`);
  }
  const covariates = tableCovariates(covars, volumes.length, options);
  const coding = codeDesign(covariates, { refBatch: options.refBatch ?? null });
  const rows = encodeCovariates(coding, covariates);
  const mask = await options.mask.load();
  checkShape(mask, 'mask');
  const first = await volumes[0]!.load();
  checkShape(first, 'volume 0');
  if (mask.shape.some((n, axis) => n !== first.shape[axis])) {
    throw new VolumeShapeError(`mask has shape ${formatShape(mask.shape)}; expected the volumes' shape ${formatShape(first.shape)}`);
  }
  const geometry = { shape: [...mask.shape], affine: mask.affine.slice(), indices: maskIndices(mask) };
  const features = geometry.indices.length;
  const accumulator = new CombatAccumulator(coding, features);
  const row = new Float64Array(features);
  for (let i = 0; i < volumes.length; i++) {
    const volume = i === 0 ? first : await volumes[i]!.load();
    checkVolume(volume, i, geometry, options);
    accumulator.addEncoded({ data: flattenInto(volume, geometry.indices, row), samples: 1, features }, rowOf(rows, i));
    options.onProgress?.({ phase: 'fit', done: i + 1, total: volumes.length });
  }
  const { model, warnings } = finalizeModel(accumulator, options);
  const estimates: VolumeEstimates = {
    model,
    warnings,
    mask: geometry,
    columns: { batchCol: options.batchCol, categoricalCols: options.categoricalCols ?? [], continuousCols: options.continuousCols ?? [] },
  };
  await adjustVolumes(estimates, volumes, covars, options, sink);
  return estimates;
}

/**
 * Applies fitted volume estimates to volumes (new subjects from the training sites, or the
 * training volumes themselves), one at a time, each with its own covariates from `covars` (the
 * same columns as in training). Each adjusted volume goes to `sink` in input order.
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
  options: AdjustOptions,
  sink: VolumeSink,
): Promise<void> {
  const { model, mask } = estimates;
  const rows = encodeCovariates(model.coding, tableCovariates(covars, volumes.length, estimates.columns));
  const features = mask.indices.length;
  const row = new Float64Array(features);
  const adjusted = new Float64Array(features);
  for (let i = 0; i < volumes.length; i++) {
    const volume = await volumes[i]!.load();
    checkVolume(volume, i, mask, options);
    applyEncoded(model, { data: flattenInto(volume, mask.indices, row), samples: 1, features }, rowOf(rows, i), adjusted);
    await sink(unflatten(adjusted, mask.indices, volume, options), i);
    options.onProgress?.({ phase: 'adjust', done: i + 1, total: volumes.length });
  }
}

/** Sample i of encoded rows, as a one-row block. */
function rowOf(rows: EncodedRows, i: number): EncodedRows {
  const q = rows.covariates.length / rows.samples;
  return { samples: 1, batchIndex: rows.batchIndex.subarray(i, i + 1), covariates: rows.covariates.subarray(i * q, (i + 1) * q) };
}

function checkVolume(volume: Volume, index: number, mask: VolumeEstimates['mask'], options: AdjustOptions): void {
  checkShape(volume, `volume ${index}`, mask.shape);
  if (options.allowAffineMismatch) return;
  const tolerance = options.affineTolerance ?? 1e-5;
  for (let at = 0; at < 16; at++) {
    const expected = mask.affine[at];
    const found = volume.affine[at];
    if (!(Math.abs(found - expected) <= tolerance * Math.max(1, Math.abs(expected)))) {
      throw new AffineMismatchError(
        `volume ${index}'s affine differs from the mask's at row ${Math.floor(at / 4)}, column ${at % 4}: ${found} vs ${expected} ` +
          `(tolerance ${tolerance}); pass allowAffineMismatch to accept it`,
      );
    }
  }
}
