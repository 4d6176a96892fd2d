import type { VoxelArray } from '@combat/base';
import { refuseArgument } from '@combat/base/internal';
import type { NiftiImage } from './decode.js';
import { readNifti, type ReadNiftiOptions } from './node.js';

/**
 * An image's voxels at some flat indices (i-fastest, as in `data`), in the image's type (float64
 * when scaled), and the image without its voxels: what {@link NiftiFileResource.loadVoxels} gives.
 * An index beyond the image's voxels reads as NaN (0 in an integer type).
 *
 * @example
 * ```ts
 * const { image, voxels }: NiftiVoxels = await new NiftiFileResource('sub-01_FA.nii.gz').loadVoxels(Int32Array.of(0));
 * [image.header.datatype, voxels[0]]; // ['int16', 83]
 * ```
 */
export interface NiftiVoxels {
  readonly image: Omit<NiftiImage, 'data'>;
  readonly voxels: VoxelArray;
}

/** Reads an image (with `read`, `readNifti` by default) and keeps its voxels at `indices` (see {@link NiftiVoxels}). */
export async function readVoxels(path: string, indices: Int32Array, options: ReadNiftiOptions, read = readNifti): Promise<NiftiVoxels> {
  checkIndices(indices);
  const { data, ...image } = await read(path, options);
  const voxels = new (data.constructor as new (length: number) => VoxelArray)(indices.length);
  for (let k = 0; k < indices.length; k++) voxels[k] = data[indices[k] as number] as number;
  return { image, voxels };
}

/** Checks that `indices` are an Int32Array. */
export function checkIndices(indices: unknown): asserts indices is Int32Array {
  if (!(indices instanceof Int32Array)) refuseArgument('indices', 'an Int32Array of voxel indices', indices);
}
