import type { VolumeResource } from '@combat/base';
import { checkBoolean, checkInteger, checkObject, checkOneOf, checkOptions, refuseArgument } from '@combat/base/internal';
import type { ApplyOptions, CombatOptions } from '@combat/core';
import { requireResource } from './arguments.js';
import { requireCheckOptions, type CheckOptions } from './check-volumes.js';

/**
 * Options shared by fitting and adjusting volumes: the checks against the mask, progress, what
 * becomes of voxels outside the mask, and the memory that spares reading volumes twice.
 *
 * @example
 * ```ts
 * const options: AdjustOptions = { preserveOutOfMask: true, memoryBudget: 512 * 2 ** 20, dtype: 'float32' };
 * const [first] = (await harmonizeVolumes(volumes, covariates, { ...options, mask })).harmonized;
 * // Voxel 2 is outside the mask: kept as it was.
 * first.data[2]; // 9
 * first.data instanceof Float32Array; // true
 * ```
 */
export interface AdjustOptions extends CheckOptions {
  /** Keep out-of-mask voxels as they were (default: set them to 0). */
  readonly preserveOutOfMask?: boolean;
  /**
   * Bytes that a run reading the volumes in two passes (fit or check, then adjust) may hold to
   * keep what the first pass read for the second, so each volume is read (and inflated) once:
   * the in-mask voxels in the type they were read in (exact; every voxel with
   * `preserveOutOfMask`). Volumes beyond it are read again. Default 1 GiB; 0 reads every volume
   * twice. The results are the same either way, bit for bit.
   */
  readonly memoryBudget?: number;
  /**
   * The type of the harmonized volumes' voxels: `'float64'` (the default), or `'float32'`, half
   * the memory and the values a float32 file holds (each rounded as writing it would round it). A
   * volume with a value beyond float32's range comes as float64 all the same, so that no value
   * turns infinite unseen (a float32 writer then refuses it).
   */
  readonly dtype?: 'float32' | 'float64';
}

/**
 * Options of `fitVolumes`: the mask, ComBat's modes (as in `@combat/core`: `eb`, `parametric`,
 * `meanOnly`, `refBatch`, `maxIterations`), the checks against the mask, and progress.
 *
 * @example
 * ```ts
 * const options: FitVolumesOptions = { mask, refBatch: 'A', eb: false };
 * const { estimates: fitted } = await fitVolumes(volumes, covariates, options);
 * fitted.model.refBatch; // 'A'
 * fitted.model.options.eb; // false
 * ```
 */
export interface FitVolumesOptions extends CombatOptions, CheckOptions {
  /** Voxels where the mask is above 0 are harmonized; its `source` (the file) is named in messages. */
  readonly mask: VolumeResource;
}

/**
 * Options of `harmonizeVolumes` and `harmonizeVolumesStreaming`: those of the fit, and what
 * becomes of voxels outside the mask.
 *
 * @example
 * ```ts
 * const options: HarmonizeVolumesOptions = { mask, refBatch: 'A', preserveOutOfMask: true };
 * const { estimates: fitted } = await harmonizeVolumes(volumes, covariates, options);
 * fitted.model.refBatch; // 'A'
 * ```
 */
export interface HarmonizeVolumesOptions extends FitVolumesOptions, AdjustOptions {}

/**
 * Options of `adjustVolumes`: what to do with volumes of batches the model has not seen
 * (`newBatches`: `'error'`, the default, or `'estimate'` their batches from them first, with at
 * most `maxIterations` of the parametric solver), and whether every volume is checked before the
 * first output.
 *
 * @example
 * ```ts
 * const options: AdjustVolumesOptions = { preserveOutOfMask: true, checkFirst: true };
 * const kept: number[] = [];
 * await adjustVolumes(estimates, volumes, covariates, (volume, index) => void (kept[index] = volume.data[2]), options);
 * // Voxel 2 is outside the mask: kept as it was in each volume.
 * kept; // [9, 9, 9, 9, 9, 9]
 * const { estimates: extended } = await adjustVolumes(estimates, newSite, newSiteCovariates, () => {}, { newBatches: 'estimate', maxIterations: 200 });
 * [...extended.model.batches.keys()]; // ['A', 'B', 'C']
 * ```
 */
export interface AdjustVolumesOptions extends AdjustOptions, ApplyOptions {
  /**
   * Read and check every volume (see `checkVolumes`) before the first goes to the sink, so a bad
   * volume is found before any output exists (default true). False reads each volume once, or
   * twice when its batch is estimated.
   */
  readonly checkFirst?: boolean;
}

/**
 * Throws an InvalidArgumentError unless `options` is an object with a mask resource whose check
 * options, `preserveOutOfMask`, `memoryBudget` and ComBat options have the right types.
 */
export function requireFitOptions(options: unknown): asserts options is HarmonizeVolumesOptions {
  const { mask, eb, parametric, meanOnly, refBatch, maxIterations } = checkObject(options, 'options');
  requireResource(mask, 'options.mask');
  requireCheckOptions(options);
  for (const [name, value] of Object.entries({ eb, parametric, meanOnly })) if (value !== undefined) checkBoolean(value, `options.${name}`);
  if (refBatch !== undefined && refBatch !== null && typeof refBatch !== 'string') refuseArgument('options.refBatch', 'a batch label or null', refBatch);
  if (maxIterations !== undefined) checkInteger(maxIterations, 'options.maxIterations', 1);
  memoryBudget(options);
  voxelType(options);
}

/** The default `memoryBudget`: 1 GiB. */
const DEFAULT_MEMORY_BUDGET = 2 ** 30;

/**
 * The options' `memoryBudget`, else the default; an InvalidArgumentError unless it is a whole
 * number of bytes.
 */
export function memoryBudget(options: unknown): number {
  const { memoryBudget = DEFAULT_MEMORY_BUDGET } = checkOptions(options);
  return checkInteger(memoryBudget, 'options.memoryBudget', 0);
}

/** Throws an InvalidArgumentError unless `options` is undefined or adjust options of the right types. */
export function requireAdjustOptions(options: unknown): asserts options is AdjustVolumesOptions | undefined {
  requireCheckOptions(options);
  const { checkFirst, newBatches, maxIterations } = checkOptions(options);
  if (checkFirst !== undefined) checkBoolean(checkFirst, 'options.checkFirst');
  if (newBatches !== undefined) checkOneOf(newBatches, 'options.newBatches', ['error', 'estimate']);
  if (maxIterations !== undefined) checkInteger(maxIterations, 'options.maxIterations', 1);
  memoryBudget(options);
  voxelType(options);
}

/** The options' `dtype`, else float64; an InvalidArgumentError unless it is one of the two. */
export function voxelType(options: unknown): 'float32' | 'float64' {
  const { dtype = 'float64' } = checkOptions(options);
  return checkOneOf(dtype, 'options.dtype', ['float32', 'float64'] as const);
}
