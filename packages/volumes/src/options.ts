import type { VolumeResource } from '@combat/base';
import type { CombatOptions } from '@combat/core';
import type { CheckOptions } from './check-volumes.js';

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
 * Options of `harmonizeVolumes` and `harmonizeVolumesStreaming`: the mask, ComBat's modes (as in
 * `@combat/core`), and what to do with voxels outside the mask and with affines that differ from
 * the mask's.
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
 * Options of `adjustVolumes`.
 *
 * @example
 * ```ts
 * const options: AdjustVolumesOptions = { preserveOutOfMask: true, checkFirst: true };
 * const kept: number[] = [];
 * await adjustVolumes(estimates, volumes, covariates, (volume, index) => void (kept[index] = volume.data[2]), options);
 * // Voxel 2 is outside the mask: kept as it was in each volume.
 * kept; // [9, 9, 9, 9, 9, 9]
 * ```
 */
export interface AdjustVolumesOptions extends AdjustOptions {
  /**
   * Read and check every volume (see `checkVolumes`) before the first goes to the sink, so a bad
   * volume is found before any output exists (default true). False reads each volume once.
   */
  readonly checkFirst?: boolean;
}
