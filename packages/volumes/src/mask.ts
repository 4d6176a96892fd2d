import { InvalidValueError } from '@combat/core';
import type { MaskGeometry, Volume, VolumeResource, VoxelArray } from '@combat/base';
import { checkVolume, formatVoxel } from '@combat/base/internal';
import { EmptyMaskError, VolumeShapeError } from './errors.js';
import { describeMask, volumeSource } from './naming.js';

/**
 * The flat indices (i-fastest order, as in `Volume.data`) of the voxels where a mask volume is
 * above zero, ascending: the `indices` of a `MaskGeometry`, whose k-th entry is the voxel of the
 * model's feature k. Messages name the mask by its `source`.
 *
 * @throws {@link EmptyMaskError} when no voxel is above zero.
 * @throws `InvalidArgumentError` (base's) when `mask` is not a volume.
 * @example
 * ```ts
 * import { identityAffine } from '@combat/base';
 * import { maskIndices } from '@combat/volumes';
 * maskIndices({ shape: [2, 2, 1], affine: identityAffine(), data: Uint8Array.of(0, 3, 0, 1) }); // Int32Array.of(1, 3)
 * maskIndices({ shape: [2, 1, 1], affine: identityAffine(), data: new Uint8Array(2), source: 'mask.nii.gz' });
 * // throws EmptyMaskError: the mask (mask.nii.gz) of shape 2x1x1 has no voxel above 0
 * ```
 */
export function maskIndices(mask: Volume): Int32Array {
  checkVolume(mask, 'mask');
  return indicesAboveZero(mask, describeMask(mask.source));
}

/** {@link maskIndices} of a checked volume, naming it `label` in messages. */
export function indicesAboveZero(mask: Volume, label: string): Int32Array {
  const { data } = mask;
  let count = 0;
  for (let at = 0; at < data.length; at++) if (data[at] > 0) count++;
  if (count === 0) {
    throw new EmptyMaskError(`${label} of shape ${formatShape(mask.shape)} has no voxel above 0; expected at least one`);
  }
  const indices = new Int32Array(count);
  for (let at = 0, k = 0; at < data.length; at++) if (data[at] > 0) indices[k++] = at;
  return indices;
}

/**
 * Loads and checks the mask (a 3D volume with a voxel above 0): its geometry, with its source
 * (the resource's, else the loaded volume's).
 */
export async function loadMask(resource: VolumeResource): Promise<MaskGeometry> {
  const volume = await resource.load();
  const source = volumeSource(resource, volume);
  checkShape(volume, describeMask(source));
  const geometry = { shape: [...volume.shape], affine: volume.affine.slice(), indices: indicesAboveZero(volume, describeMask(source)) };
  return source === undefined ? geometry : { ...geometry, source };
}

/**
 * Copies the masked voxels of a volume into `row` (float64), in mask order. An infinite voxel is
 * refused with core's `InvalidValueError` naming the volume and the voxel as (i, j, k); NaN passes
 * (a missing value).
 */
export function flattenMasked(volume: Volume, indices: Int32Array, row: Float64Array, name: string): Float64Array {
  const { data } = volume;
  for (let k = 0; k < indices.length; k++) {
    const y = data[indices[k]];
    if (y - y !== 0 && y === y) throw infiniteVoxel(name, y, indices[k], volume.shape);
    row[k] = y;
  }
  return row;
}

/**
 * {@link flattenMasked} for voxels already taken at the mask's indices (`voxels[k]` is the voxel
 * `indices[k]` of a volume of `shape`): copied into `row`, an infinite one refused the same way.
 */
export function copyMasked(voxels: VoxelArray, indices: Int32Array, shape: readonly number[], row: Float64Array, name: string): Float64Array {
  for (let k = 0; k < voxels.length; k++) {
    const y = voxels[k];
    if (y - y !== 0 && y === y) throw infiniteVoxel(name, y, indices[k], shape);
    row[k] = y;
  }
  return row;
}

function infiniteVoxel(name: string, value: number, index: number, shape: readonly number[]): InvalidValueError {
  return new InvalidValueError(`${name} has ${value} at voxel ${formatVoxel(index, shape)} inside the mask; expected a finite value, or NaN for a missing one`);
}

/**
 * A volume's shape, affine, header and source, with its voxels or without them: what an output
 * takes from its input.
 */
export type VolumeFrame<H = unknown> = Omit<Volume<H>, 'data'> & { readonly data?: VoxelArray };

/**
 * A volume from masked values: inside the mask the values of `row`, outside those of `outside`
 * (the input's own voxels, with `preserveOutOfMask`), else zeros; its voxels of type `dtype`, or
 * float64 when a value is beyond float32's range. Shape, affine and header come from the template
 * (which is not modified); its source is `source` (the caller's, see {@link volumeSource}).
 */
export function unflattenMasked<H>(
  row: Float64Array,
  indices: Int32Array,
  template: VolumeFrame<H>,
  outside: VoxelArray | undefined,
  source: string | undefined,
  dtype: 'float32' | 'float64' = 'float64',
): Volume<H> {
  const data = (dtype === 'float32' ? scatterFloat32(row, indices, template, outside) : undefined) ?? scatter(Float64Array, row, indices, template, outside);
  return {
    data,
    shape: [...template.shape],
    affine: template.affine.slice(),
    ...(template.header === undefined ? {} : { header: template.header }),
    ...(source === undefined ? {} : { source }),
  };
}

/** The voxels of {@link unflattenMasked} in an array of `type`. */
function scatter<T extends Float32Array | Float64Array>(type: { new (length: number): T; from(values: ArrayLike<number>): T }, row: Float64Array, indices: Int32Array, template: VolumeFrame, outside: VoxelArray | undefined): T {
  const data = outside === undefined ? new type(template.shape.reduce((n, size) => n * size, 1)) : type.from(outside);
  for (let k = 0; k < indices.length; k++) data[indices[k]] = row[k];
  return data;
}

/** {@link scatter} in float32, or undefined when a finite value would turn infinite. */
function scatterFloat32(row: Float64Array, indices: Int32Array, template: VolumeFrame, outside: VoxelArray | undefined): Float32Array | undefined {
  const data = scatter(Float32Array, row, indices, template, outside);
  // Only float64 values can be beyond float32's range: the row's, and the outside of a float64 input.
  for (let k = 0; k < indices.length; k++) if (turnedInfinite(data[indices[k]], row[k])) return undefined;
  if (outside instanceof Float64Array) for (let k = 0; k < outside.length; k++) if (turnedInfinite(data[k], outside[k])) return undefined;
  return data;
}

/** Whether `value` is finite and its float32 `stored` is not. */
function turnedInfinite(stored: number, value: number): boolean {
  return stored - stored !== 0 && value - value === 0;
}

/**
 * Checks that a loaded value is a 3D volume and, when given, of the expected shape; `what` names
 * it in messages.
 */
export function checkShape(volume: unknown, what: string, expected?: readonly number[]): asserts volume is Volume {
  checkVolume(volume, what);
  checkFrame(volume, what, expected);
}

/** {@link checkShape} for a volume already checked as one (or the frame of one): 3D, and of the expected shape when given. */
export function checkFrame(volume: VolumeFrame, what: string, expected?: readonly number[]): void {
  const { shape } = volume;
  if (shape.length !== 3) {
    throw new VolumeShapeError(`${what} has shape ${formatShape(shape)}; expected a 3D volume`);
  }
  if (expected !== undefined && (expected.length !== 3 || shape.some((n, axis) => n !== expected[axis]))) {
    throw new VolumeShapeError(`${what} has shape ${formatShape(shape)}; expected ${formatShape(expected)} like the others`);
  }
}

/** A shape as `91x109x91`. */
export function formatShape(shape: readonly number[]): string {
  return shape.join('x');
}

