import type { MaskGeometry, Volume, VolumeResource, VoxelArray } from '@combat/base';
import type { VolumeFrame } from './mask.js';
import { memoryBudget, type AdjustOptions } from './options.js';

/** The voxel arrays a volume may hold: the in-mask voxels are kept in the type of the volume's (a subclass, such as Node's Buffer, as its base type). */
const VOXEL_ARRAYS = [Float64Array, Float32Array, Int8Array, Uint8Array, Int16Array, Uint16Array, Int32Array, Uint32Array] as const;

/**
 * What a first pass keeps of a volume for the adjust pass: the volume without its voxels (with
 * them when out-of-mask voxels are kept), and its in-mask voxels in the type they were read in
 * (exact), for the mask they were taken in.
 */
export interface KeptVolume<H> {
  readonly frame: VolumeFrame<H>;
  readonly voxels: VoxelArray;
  readonly indices: Int32Array;
}

/**
 * A volume resource whose volume a first pass over it may keep, within a memory budget shared
 * with the other resources of a run, so that the adjust pass takes it (once) instead of reading
 * the file again: `streamVolumes` keeps in every pass but `adjust`, and takes in `adjust`.
 * Loading goes to the wrapped resource; the source is its source.
 */
export class KeptResource<H> implements VolumeResource<H> {
  readonly source?: string;
  private kept: KeptVolume<H> | undefined;

  constructor(
    /** The resource kept volumes come from. */
    readonly resource: VolumeResource<H>,
    private readonly budget: { left: number },
    /** Whether whole volumes are kept (every voxel), not only those in the mask. */
    readonly whole: boolean,
  ) {
    this.source = resource.source;
  }

  load(): Promise<Volume<H>> {
    return this.resource.load();
  }

  /**
   * Keeps a checked volume whose in-mask voxels are `row`, when the budget has room for them (and
   * for all its voxels, when the resource keeps volumes whole).
   */
  keep(volume: Volume<H>, row: Float64Array, mask: MaskGeometry): void {
    const Voxels = VOXEL_ARRAYS.find((type) => volume.data instanceof type) ?? Float64Array;
    const bytes = row.length * Voxels.BYTES_PER_ELEMENT + (this.whole ? volume.data.byteLength : 0);
    if (this.kept !== undefined || bytes > this.budget.left) return;
    this.budget.left -= bytes;
    const voxels = new Voxels(row.length);
    voxels.set(row);
    const { data: _voxels, ...frame } = volume;
    this.kept = { frame: this.whole ? volume : frame, voxels, indices: mask.indices };
  }

  /**
   * Keeps a checked volume loaded without its voxels but those in the mask (`voxels`, in its
   * type, not copied), when the budget has room for them; never for a resource that keeps whole volumes.
   */
  keepVoxels(frame: VolumeFrame<H>, voxels: VoxelArray, mask: MaskGeometry): void {
    if (this.kept !== undefined || this.whole || voxels.byteLength > this.budget.left) return;
    this.budget.left -= voxels.byteLength;
    this.kept = { frame, voxels, indices: mask.indices };
  }

  /** The kept volume, if any was kept for this mask; given once. */
  take(mask: MaskGeometry): KeptVolume<H> | undefined {
    const kept = this.kept;
    this.kept = undefined;
    return kept?.indices === mask.indices ? kept : undefined;
  }
}

/**
 * The volumes of a run that reads them in two passes, as resources the first pass keeps within the
 * options' `memoryBudget` in all; with `preserveOutOfMask`, every voxel of each volume is kept, not
 * only those in the mask.
 */
export function keepVolumes<H>(volumes: readonly VolumeResource<H>[], options: AdjustOptions): KeptResource<H>[] {
  const budget = { left: memoryBudget(options) };
  return volumes.map((volume) => new KeptResource(volume, budget, options.preserveOutOfMask ?? false));
}
