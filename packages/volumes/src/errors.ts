import { CombatError } from '@combat/core';

/**
 * Fewer than two volumes to harmonize.
 *
 * @example
 * ```ts
 * await harmonizeVolumes([one], covars, options); // throws TooFewVolumesError
 * ```
 */
export class TooFewVolumesError extends CombatError {
  readonly code = 'TOO_FEW_VOLUMES' as const;
}

/**
 * A volume that is not 3D, volumes of different shapes, or a mask whose shape differs from the
 * volumes'. The message names the volume (its resource's name, the file, or `volume 4 (of 15)`
 * when it has none) and both shapes.
 *
 * @example
 * ```ts
 * // VolumeShapeError: sub-04.nii.gz has shape 10x12x8x5; expected a 3D volume
 * ```
 */
export class VolumeShapeError extends CombatError {
  readonly code = 'VOLUME_SHAPE' as const;
}

/**
 * A mask with no voxel above zero.
 *
 * @example
 * ```ts
 * maskIndices(allZeros); // throws EmptyMaskError
 * ```
 */
export class EmptyMaskError extends CombatError {
  readonly code = 'EMPTY_MASK' as const;
}

/**
 * A volume whose affine differs from the mask's beyond the tolerance; `remedy` is
 * `{ allowAffineMismatch: true }`, the option that accepts it.
 *
 * @example
 * ```ts
 * // AffineMismatchError: sub-03.nii.gz: its affine differs from the mask's (mask.nii.gz) at row 0, column 3: 12.5 vs 10
 * // (tolerance 0.00001); use { allowAffineMismatch: true }
 * ```
 */
export class AffineMismatchError extends CombatError {
  readonly code = 'AFFINE_MISMATCH' as const;
}

/**
 * A covariate table that does not fit the volumes: a row count that differs from the number of
 * volumes, a missing column (the message lists the columns that exist), an empty cell, a
 * non-numeric value in a continuous column (rows are counted from 1, with the volume's file).
 *
 * @example
 * ```ts
 * // CovariateTableError: batch column "scanner" not found; columns are subject, site, age
 * ```
 */
export class CovariateTableError extends CombatError {
  readonly code = 'COVARIATE_TABLE' as const;
}
