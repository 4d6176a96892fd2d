import { InvalidArgumentError } from '@combat/core';
import type { Volume, VolumeResource } from './volume.js';

/**
 * A value described for a message: `undefined`, `null`, `a string ("text")`, `a number (NaN)`,
 * `an array of 3`, `a Float32Array of length 64`, `a function`, `an object`.
 *
 * @example
 * ```ts
 * describeValue(new Float32Array(2)); // 'a Float32Array of length 2'
 * ```
 */
export function describeValue(value: unknown): string {
  if (value === undefined || value === null) return String(value);
  if (typeof value === 'string') return `a string (${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)})`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return `a ${typeof value} (${String(value)})`;
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}${'length' in value ? ` of length ${value.length}` : ''}`;
  return typeof value === 'function' ? 'a function' : `an object (${Object.prototype.toString.call(value).slice(8, -1)})`;
}

const VOXEL_ARRAYS = [Float64Array, Float32Array, Int8Array, Uint8Array, Int16Array, Uint16Array, Int32Array, Uint32Array] as const;

/**
 * Why a value is not a {@link Volume}, or undefined when it is one: an object whose `shape` lists
 * sizes of at least 1, whose `affine` is a Float64Array of 16 values, whose `data` is one of the
 * {@link VoxelArray} types with one value per voxel, and whose `metadata` is an object.
 *
 * @example
 * ```ts
 * findVolumeProblem({ shape: [2, 2, 1], affine: identityAffine(), data: new Float32Array(3), metadata: {} });
 * // 'data has 3 values; expected 4 for its shape 2x2x1'
 * ```
 */
export function findVolumeProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return `expected a volume { shape, affine, data, metadata }; received ${describeValue(value)}`;
  const { shape, affine, data, metadata } = value as Record<string, unknown>;
  if (!Array.isArray(shape) || shape.length === 0 || !shape.every((n) => Number.isSafeInteger(n) && n >= 1)) {
    return `expected shape to be a list of sizes of at least 1; received ${Array.isArray(shape) ? JSON.stringify(shape) : describeValue(shape)}`;
  }
  if (!(affine instanceof Float64Array) || affine.length !== 16) {
    return `expected affine to be a Float64Array of 16 values (4 x 4, row-major); received ${describeValue(affine)}`;
  }
  if (!VOXEL_ARRAYS.some((type) => data instanceof type)) {
    return `expected data to be a Float64Array, Float32Array, Int8Array, Uint8Array, Int16Array, Uint16Array, Int32Array or Uint32Array; received ${describeValue(data)}`;
  }
  const voxels = (shape as number[]).reduce((a, n) => a * n, 1);
  if ((data as ArrayLike<number>).length !== voxels) return `data has ${(data as ArrayLike<number>).length} values; expected ${voxels} for its shape ${shape.join('x')}`;
  if (typeof metadata !== 'object' || metadata === null) return `expected metadata to be an object; received ${describeValue(metadata)}`;
  return undefined;
}

/**
 * Throws a InvalidArgumentError naming `what` unless `value` is a volume (see {@link findVolumeProblem}).
 *
 * @example
 * ```ts
 * requireVolume(await resource.load(), 'sub-01.nii.gz');
 * ```
 */
export function requireVolume(value: unknown, what: string): asserts value is Volume {
  const problem = findVolumeProblem(value);
  if (problem !== undefined) throw new InvalidArgumentError(`${what}: ${problem}`);
}

/**
 * Throws a InvalidArgumentError unless `value` is a volume resource (`load()` and an optional string `name`).
 *
 * @example
 * ```ts
 * requireResource(options.mask, 'options.mask');
 * ```
 */
export function requireResource(value: unknown, what: string): asserts value is VolumeResource {
  const resource = value as Partial<VolumeResource> | null | undefined;
  if (typeof resource?.load !== 'function' || (resource.name !== undefined && typeof resource.name !== 'string')) {
    throw new InvalidArgumentError(`${what}: expected a volume resource (an object with a load() method and an optional string name); received ${describeValue(value)}`);
  }
}

/**
 * Throws a InvalidArgumentError unless `value` is an array of volume resources.
 *
 * @example
 * ```ts
 * requireResources(volumes, 'volumes');
 * ```
 */
export function requireResources(value: unknown, what: string): asserts value is readonly VolumeResource[] {
  if (!Array.isArray(value)) throw new InvalidArgumentError(`${what}: expected an array of volume resources (objects with a load() method); received ${describeValue(value)}`);
  value.forEach((resource, i) => requireResource(resource, `${what}[${i}]`));
}

/**
 * Throws a InvalidArgumentError unless `value` is a non-null object (not an array).
 *
 * @example
 * ```ts
 * requireObject(options, 'options');
 * ```
 */
export function requireObject(value: unknown, what: string): asserts value is object {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InvalidArgumentError(`${what}: expected an object; received ${describeValue(value)}`);
}

/**
 * Throws a InvalidArgumentError unless `value` is a function.
 *
 * @example
 * ```ts
 * requireFunction(sink, 'sink');
 * ```
 */
export function requireFunction(value: unknown, what: string): void {
  if (typeof value !== 'function') throw new InvalidArgumentError(`${what}: expected a function; received ${describeValue(value)}`);
}
