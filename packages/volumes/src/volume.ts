import { InvalidArgumentError } from '@combat/core';
import { describeValue, requireVolume } from './arguments.js';

/**
 * The voxel types a volume may hold (NIfTI's integer and float datatypes).
 *
 * @example
 * ```ts
 * const voxels: VoxelArray = new Float32Array(91 * 109 * 91);
 * ```
 */
export type VoxelArray = Float64Array | Float32Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array;

/**
 * An image: its shape, its voxel-to-world affine (4 x 4, row-major), its voxels in i-fastest
 * (Fortran, NIfTI) order (`data[i + nx * (j + ny * k)]`), and format metadata such as the NIfTI
 * header (`metadata.nifti`), which writers reuse.
 *
 * @example
 * ```ts
 * const volume: Volume = { shape: [2, 2, 1], affine: identityAffine(), data: new Float64Array(4), metadata: {} };
 * ```
 */
export interface Volume {
  readonly shape: readonly number[];
  readonly affine: Float64Array;
  readonly data: VoxelArray;
  readonly metadata: Readonly<Record<string, unknown>>;
}

/**
 * Something that yields a volume when asked: in memory, or a file read on demand. `name` says
 * where it comes from (a path) for messages; `load` may be called more than once (the streaming
 * fit reads each volume twice) and must return unmodified data each time.
 *
 * @example
 * ```ts
 * const resource: VolumeResource = { name: 'sub-01', load: async () => volume };
 * ```
 */
export interface VolumeResource {
  readonly name?: string;
  load(): Promise<Volume>;
}

/**
 * A volume held in memory.
 *
 * @example
 * ```ts
 * const resource = new InMemoryVolumeResource({ shape: [4, 4, 4], affine: identityAffine(), data: new Float32Array(64), metadata: {} });
 * const volume = await resource.load();
 * ```
 */
export class InMemoryVolumeResource implements VolumeResource {
  constructor(
    readonly volume: Volume,
    readonly name?: string,
  ) {
    requireVolume(volume, name ?? 'volume');
    if (name !== undefined && typeof name !== 'string') throw new InvalidArgumentError(`name: expected a string or undefined; received ${describeValue(name)}`);
  }

  async load(): Promise<Volume> {
    return this.volume;
  }
}

/**
 * The 4 x 4 identity, row-major.
 *
 * @example
 * ```ts
 * identityAffine()[0]; // 1
 * ```
 */
export function identityAffine(): Float64Array {
  return Float64Array.of(1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1);
}
