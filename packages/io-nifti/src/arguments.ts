import { InvalidArgumentError } from '@combat/base';
import { describeValue } from '@combat/base/internal';

/**
 * Largest voxel array a reader allocates by default, in bytes (1 GiB, e.g. 512^3 voxels of
 * float64): the image as returned, in its on-disk type or in float64 when scaled.
 *
 * @example
 * ```ts
 * DEFAULT_MAX_BYTES; // 1073741824
 * decodeNifti(bytes, { maxBytes: 2 * DEFAULT_MAX_BYTES }).shape; // [7, 6, 5]
 * ```
 */
export const DEFAULT_MAX_BYTES = 2 ** 30;

/**
 * Options of {@link decodeNifti}: `source` says where the bytes came from (a file name, a URL),
 * for the image's `source` and for error messages; `maxBytes` is the largest voxel array to
 * allocate (default {@link DEFAULT_MAX_BYTES}, 1 GiB).
 *
 * @example
 * ```ts
 * const options: DecodeOptions = { source: 'sub-01_FA.nii.gz', maxBytes: 2 ** 30 };
 * decodeNifti(bytes, options).source; // 'sub-01_FA.nii.gz'
 * ```
 */
export interface DecodeOptions {
  readonly source?: string;
  readonly maxBytes?: number;
}

/** Throws an InvalidArgumentError unless `value` is a Uint8Array (a Node Buffer is one). */
export function requireBytes(value: unknown, what: string): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new InvalidArgumentError(`${what}: expected the bytes of a .nii or .nii.gz as a Uint8Array; received ${describeValue(value)}`);
  }
}

/** Throws an InvalidArgumentError unless `value` is a non-empty string (or undefined, when `optional`). */
export function requireString(value: unknown, what: string, optional = false): void {
  if (!(typeof value === 'string' && value !== '') && !(optional && value === undefined)) {
    throw new InvalidArgumentError(`${what}: expected a non-empty string${optional ? ' or undefined' : ''}; received ${describeValue(value)}`);
  }
}

/** Throws an InvalidArgumentError unless `value` is an options object (or undefined); gives it as an object. */
export function requireOptions(value: unknown, what: string): Record<string, unknown> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InvalidArgumentError(`${what}: expected an options object or undefined; received ${describeValue(value)}`);
  return value as Record<string, unknown>;
}

/**
 * Checks the options of a reader; gives the source as given (undefined when none), the name
 * errors use (the source, or `unnamed`) and the allocation limit.
 */
export function readOptions(value: unknown, unnamed: string): { source: string | undefined; name: string; maxBytes: number } {
  const { source, maxBytes } = requireOptions(value, 'options');
  requireString(source, 'options.source', true);
  if (maxBytes !== undefined && !(typeof maxBytes === 'number' && maxBytes > 0)) {
    throw new InvalidArgumentError(`options.maxBytes: expected a number of bytes above 0; received ${describeValue(maxBytes)}`);
  }
  return { source: source as string | undefined, name: (source as string | undefined) ?? unnamed, maxBytes: (maxBytes as number | undefined) ?? DEFAULT_MAX_BYTES };
}
