import { InvalidValueError, InvalidArgumentError } from '@combat/core';
import { describeValue, requireVolume } from './arguments.js';
import { EmptyMaskError, VolumeShapeError } from './errors.js';
import type { Volume } from './volume.js';

/**
 * The voxel indices (i-fastest order) where the mask is above zero, ascending. `options.name`
 * names the mask in messages (default `the mask`).
 *
 * @example
 * ```ts
 * maskIndices({ shape: [2, 1, 1], affine, data: Uint8Array.of(0, 3), metadata: {} }); // Int32Array [1]
 * ```
 */
export function maskIndices(mask: Volume, options: { name?: string } = {}): Int32Array {
  const name = options?.name ?? 'the mask';
  requireVolume(mask, name);
  const { data } = mask;
  let count = 0;
  for (let at = 0; at < data.length; at++) if (data[at] > 0) count++;
  if (count === 0) {
    throw new EmptyMaskError(`${name} of shape ${formatShape(mask.shape)} has no voxel above 0; expected at least one`);
  }
  const indices = new Int32Array(count);
  for (let at = 0, k = 0; at < data.length; at++) if (data[at] > 0) indices[k++] = at;
  return indices;
}

/**
 * Copies the masked voxels of a volume into `row` (float64), in mask order. An infinite voxel is
 * refused with core's `InvalidValueError` naming the volume (`options.name`, e.g. its file) and
 * the voxel as (i, j, k); NaN passes (a missing value).
 *
 * @example
 * ```ts
 * const row = new Float64Array(indices.length);
 * flattenInto(volume, indices, row, { name: 'sub-01.nii.gz' });
 * ```
 */
export function flattenInto(volume: Volume, indices: Int32Array, row: Float64Array, options: { name?: string } = {}): Float64Array {
  const name = options?.name ?? 'the volume';
  requireVolume(volume, name);
  requireIndices(indices, volume.data.length);
  requireRow(row, indices.length, 'row');
  return flattenMasked(volume, indices, row, name);
}

/**
 * {@link flattenInto} without the argument checks, for callers that made them.
 *
 * @example
 * ```ts
 * flattenMasked(volume, mask.indices, row, 'sub-01.nii.gz');
 * ```
 */
export function flattenMasked(volume: Volume, indices: Int32Array, row: Float64Array, name: string): Float64Array {
  const { data } = volume;
  for (let k = 0; k < indices.length; k++) {
    const y = data[indices[k]];
    if (y - y !== 0 && y === y) {
      throw new InvalidValueError(`${name} has ${y} at voxel ${formatVoxel(indices[k], volume.shape)} inside the mask; expected a finite value, or NaN for a missing one`);
    }
    row[k] = y;
  }
  return row;
}

/**
 * Builds a float64 volume from masked values: inside the mask the values of `row`, outside zeros,
 * or the template's own voxels with `preserveOutOfMask`. Shape, affine and metadata come from the
 * template, which is not modified.
 *
 * @example
 * ```ts
 * const harmonized = unflatten(row, indices, original, { preserveOutOfMask: true });
 * ```
 */
export function unflatten(row: Float64Array, indices: Int32Array, template: Volume, options: { preserveOutOfMask?: boolean } = {}): Volume {
  requireVolume(template, 'template');
  requireIndices(indices, template.data.length);
  requireRow(row, indices.length, 'row');
  return unflattenMasked(row, indices, template, options?.preserveOutOfMask ?? false);
}

/**
 * {@link unflatten} without the argument checks, for callers that made them.
 *
 * @example
 * ```ts
 * const harmonized = unflattenMasked(row, mask.indices, original, false);
 * ```
 */
export function unflattenMasked(row: Float64Array, indices: Int32Array, template: Volume, preserveOutOfMask: boolean): Volume {
  const data = preserveOutOfMask ? Float64Array.from(template.data) : new Float64Array(template.data.length);
  for (let k = 0; k < indices.length; k++) data[indices[k]] = row[k];
  return { shape: [...template.shape], affine: template.affine.slice(), data, metadata: template.metadata };
}

/**
 * Checks that a volume is 3D and, when given, of the expected shape; `what` names it in the message.
 *
 * @example
 * ```ts
 * checkShape(volume, 'sub-04.nii.gz', [91, 109, 91]);
 * ```
 */
export function checkShape(volume: Volume, what: string, expected?: readonly number[]): void {
  if (typeof what !== 'string') throw new InvalidArgumentError(`what: expected a string naming the volume; received ${describeValue(what)}`);
  if (expected !== undefined && !Array.isArray(expected)) throw new InvalidArgumentError(`expected: expected a shape (an array of sizes) or undefined; received ${describeValue(expected)}`);
  requireVolume(volume, what);
  const { shape } = volume;
  if (shape.length !== 3) {
    throw new VolumeShapeError(`${what} has shape ${formatShape(shape)}; expected a 3D volume`);
  }
  if (expected !== undefined && (expected.length !== 3 || shape.some((n, axis) => n !== expected[axis]))) {
    throw new VolumeShapeError(`${what} has shape ${formatShape(shape)}; expected ${formatShape(expected)} like the others`);
  }
}

/**
 * A shape as `91x109x91`.
 *
 * @example
 * ```ts
 * formatShape([91, 109, 91]); // '91x109x91'
 * ```
 */
export function formatShape(shape: readonly number[]): string {
  if (!Array.isArray(shape)) throw new InvalidArgumentError(`shape: expected an array of sizes; received ${describeValue(shape)}`);
  return shape.join('x');
}

/**
 * A voxel, given by its index in i-fastest order, as its coordinates in the shape: `(i, j, k)`
 * for a 3D shape (as many coordinates as the shape has axes).
 *
 * @example
 * ```ts
 * formatVoxel(25, [4, 3, 5]); // '(1, 0, 2)'
 * ```
 */
export function formatVoxel(index: number, shape: readonly number[]): string {
  if (!Array.isArray(shape) || !shape.every((n) => Number.isSafeInteger(n) && n >= 1)) {
    throw new InvalidArgumentError(`shape: expected a list of sizes of at least 1; received ${describeValue(shape)}`);
  }
  if (!Number.isSafeInteger(index) || index < 0) throw new InvalidArgumentError(`index: expected a voxel index of at least 0; received ${describeValue(index)}`);
  let rest = index;
  const coordinates = shape.map((n) => {
    const coordinate = rest % n;
    rest = Math.floor(rest / n);
    return coordinate;
  });
  return `(${coordinates.join(', ')})`;
}

/** Throws a InvalidArgumentError unless `indices` is an Int32Array of voxel indices below `voxels`. */
function requireIndices(indices: unknown, voxels: number): asserts indices is Int32Array {
  if (!(indices instanceof Int32Array)) throw new InvalidArgumentError(`indices: expected an Int32Array of voxel indices; received ${describeValue(indices)}`);
  for (let k = 0; k < indices.length; k++) {
    if (indices[k] < 0 || indices[k] >= voxels) throw new InvalidArgumentError(`indices[${k}] is ${indices[k]}; expected a voxel index from 0 to ${voxels - 1}`);
  }
}

function requireRow(row: unknown, length: number, what: string): asserts row is Float64Array {
  if (!(row instanceof Float64Array) || row.length !== length) {
    throw new InvalidArgumentError(`${what}: expected a Float64Array of ${length} values (one per mask index); received ${describeValue(row)}`);
  }
}
