import { CombatError, type MaskGeometry, type VolumeResource } from '@combat/base';
import { formatVoxel, rewordError } from '@combat/base/internal';
import { describeUnadjusted, type CombatWarning } from '@combat/core';

/**
 * How volumes, the mask and voxels are named, in messages and in outputs. A volume's source (its
 * file) follows one rule everywhere: its resource's `source`, else the loaded volume's.
 */

/**
 * A volume's source: its resource's `source`, else that of what `load()` gave (when it is a
 * string). The source of a harmonized volume and the name in messages.
 */
export function volumeSource(resource: VolumeResource, volume: unknown): string | undefined {
  if (resource.source !== undefined) return resource.source;
  const source = typeof volume === 'object' && volume !== null ? (volume as { source?: unknown }).source : undefined;
  return typeof source === 'string' ? source : undefined;
}

/**
 * How messages name a loaded volume: its source (see {@link volumeSource}), else
 * `volume 4 (of 15)`, counted from 1.
 */
export function describeVolume(resource: VolumeResource, volume: unknown, index: number, total: number): string {
  return volumeSource(resource, volume) || `volume ${index + 1} (of ${total})`;
}

/** How messages name the mask: `the mask (mask.nii.gz)`, or `the mask` when it has no source. */
export function describeMask(source: string | undefined): string {
  return source ? `the mask (${source})` : 'the mask';
}

/**
 * Runs core's covariate checks and coding; an error about one sample is reworded (the same
 * object, its class, fields and stack kept) with the source of that sample's resource in front
 * of its detail; its `sample` stays the volume's index. The volumes are not loaded yet: a
 * resource without a source leaves the error as core worded it.
 */
export function nameVolumes<T>(volumes: readonly VolumeResource[], work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (!(error instanceof CombatError) || error.sample === undefined) throw error;
    const source = volumes[error.sample]?.source;
    if (!source) throw error;
    throw rewordError(error, `${source}: ${error.detail}`);
  }
}

/**
 * The `unadjusted-features` warning with its message naming voxels as (i, j, k), grouped by
 * reason as core groups features; its `features` stay positions in the mask. Other warnings as
 * they are.
 */
export function nameVoxels(warning: CombatWarning, mask: MaskGeometry): CombatWarning {
  if (warning.code !== 'unadjusted-features') return warning;
  const { features, reasons } = warning;
  const voxels = features.map((k) => formatVoxel(mask.indices[k], mask.shape));
  const by = warning.batch === undefined ? '' : ` for new batch ${warning.batch}`;
  return { ...warning, message: `${features.length} voxel(s) inside the mask left unadjusted${by}: ${describeUnadjusted(voxels, reasons)}` };
}
