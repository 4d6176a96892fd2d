import { EmptyMaskError, VolumeShapeError } from './errors.js';
import type { Volume } from './volume.js';

/**
 * The voxel indices (i-fastest order) where the mask is above zero, ascending.
 *
 * @example
 * ```ts
 * maskIndices({ shape: [2, 1, 1], affine, data: Uint8Array.of(0, 3), metadata: {} }); // Int32Array [1]
 * ```
 */
export function maskIndices(mask: Volume): Int32Array {
  const { data } = mask;
  let count = 0;
  for (let at = 0; at < data.length; at++) if (data[at] > 0) count++;
  if (count === 0) {
    throw new EmptyMaskError(`mask of shape ${formatShape(mask.shape)} has no voxel above 0; expected at least one`);
  }
  const indices = new Int32Array(count);
  for (let at = 0, k = 0; at < data.length; at++) if (data[at] > 0) indices[k++] = at;
  return indices;
}

/**
 * Copies the masked voxels of a volume into `row` (float64), in mask order.
 *
 * @example
 * ```ts
 * const row = new Float64Array(indices.length);
 * flattenInto(volume, indices, row);
 * ```
 */
export function flattenInto(volume: Volume, indices: Int32Array, row: Float64Array): Float64Array {
  const { data } = volume;
  for (let k = 0; k < indices.length; k++) row[k] = data[indices[k]];
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
  const data = options.preserveOutOfMask ? Float64Array.from(template.data) : new Float64Array(template.data.length);
  for (let k = 0; k < indices.length; k++) data[indices[k]] = row[k];
  return { shape: [...template.shape], affine: template.affine.slice(), data, metadata: template.metadata };
}

/**
 * Checks that a volume is 3D and, when given, of the expected shape; `what` names it in the message.
 *
 * @example
 * ```ts
 * checkShape(volume, 'volume 4', [91, 109, 91]);
 * ```
 */
export function checkShape(volume: Volume, what: string, expected?: readonly number[]): void {
  const { shape, data } = volume;
  if (shape.length !== 3) {
    throw new VolumeShapeError(`${what} has shape ${formatShape(shape)}; expected a 3D volume`);
  }
  if (expected !== undefined && shape.some((n, axis) => n !== expected[axis])) {
    throw new VolumeShapeError(`${what} has shape ${formatShape(shape)}; expected ${formatShape(expected)} like the others`);
  }
  if (data.length !== shape[0] * shape[1] * shape[2]) {
    throw new VolumeShapeError(`${what} has ${data.length} voxels; its shape ${formatShape(shape)} needs ${shape[0] * shape[1] * shape[2]}`);
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
  return shape.join('x');
}
