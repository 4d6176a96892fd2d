/**
 * The errors `@combat/volumes` throws, besides `@combat/base`'s `InvalidArgumentError` and
 * `@combat/core`'s errors about covariates and values. Messages name a volume by its resource's
 * `source` (the file), or `volume 4 (of 15)`, counted from 1, when it has none.
 */
import { CombatError } from '@combat/base';

/**
 * Fewer than two volumes to harmonize.
 *
 * @example
 * ```ts
 * await harmonizeVolumes(volumes.slice(0, 1), { batch: ['A'] }, { mask });
 * // throws TooFewVolumesError: expected at least 2 volumes to harmonize; found 1
 * ```
 */
export class TooFewVolumesError extends CombatError {
  override readonly name = 'TooFewVolumesError' as const;
  readonly code = 'TOO_FEW_VOLUMES' as const;
}

/**
 * A volume that is not 3D, volumes of different shapes, or a mask whose shape differs from the
 * volumes'. The message names the volume and both shapes.
 *
 * @example
 * ```ts
 * import { InMemoryVolumeResource, identityAffine } from '@combat/base';
 * const series = new InMemoryVolumeResource({ shape: [2, 2, 1, 3], affine: identityAffine(), data: new Float64Array(12) }, 'sub-04.nii.gz');
 * await checkVolumes([series], estimates.mask);
 * // throws VolumeShapeError: sub-04.nii.gz has shape 2x2x1x3; expected a 3D volume
 * ```
 */
export class VolumeShapeError extends CombatError {
  override readonly name = 'VolumeShapeError' as const;
  readonly code = 'VOLUME_SHAPE' as const;
}

/**
 * A mask with no voxel above zero.
 *
 * @example
 * ```ts
 * import { identityAffine } from '@combat/base';
 * maskIndices({ shape: [2, 2, 1], affine: identityAffine(), data: new Int8Array(4) });
 * // throws EmptyMaskError: the mask of shape 2x2x1 has no voxel above 0; expected at least one
 * ```
 */
export class EmptyMaskError extends CombatError {
  override readonly name = 'EmptyMaskError' as const;
  readonly code = 'EMPTY_MASK' as const;
}

/**
 * A volume whose affine differs from the mask's beyond the tolerance; `remedy` is
 * `{ allowAffineMismatch: true }`, the option that accepts it.
 *
 * @example
 * ```ts
 * const volume = await volumes[2].load();
 * const shifted = { source: 'sub-03.nii.gz', load: async () => ({ ...volume, affine: Float64Array.of(1, 0, 0, 12.5, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1) }) };
 * await checkVolumes([shifted], estimates.mask);
 * // throws AffineMismatchError: sub-03.nii.gz: its affine differs from the mask's (mask.nii.gz) at row 0, column 3: 12.5 vs 0
 * // (tolerance 0.00001); use { allowAffineMismatch: true }
 * await checkVolumes([shifted], estimates.mask, { allowAffineMismatch: true }); // undefined
 * ```
 */
export class AffineMismatchError extends CombatError {
  override readonly name = 'AffineMismatchError' as const;
  readonly code = 'AFFINE_MISMATCH' as const;
}
