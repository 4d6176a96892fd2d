import { InvalidArgumentError } from '@combat/core';
import { describeValue } from '@combat/volumes';

/**
 * Largest voxel array a reader allocates by default, in bytes (1 GiB, e.g. 512^3 voxels of float64): the image as returned, in
 * its on-disk type or in float64 when scaled.
 *
 * @example
 * ```ts
 * decodeNifti(bytes, { maxBytes: 2 * DEFAULT_MAX_BYTES });
 * ```
 */
export const DEFAULT_MAX_BYTES = 2 ** 30;

/**
 * Options of the readers: `file` names the source in messages (`decodeNifti` only; `readNifti`
 * uses the path) and `maxBytes` is the largest voxel array to allocate (default 1 GiB).
 *
 * @example
 * ```ts
 * const options: DecodeOptions = { file: 'sub-01.nii.gz', maxBytes: 2 ** 30 };
 * ```
 */
export interface DecodeOptions {
  readonly file?: string;
  readonly maxBytes?: number;
}

/**
 * Throws a InvalidArgumentError unless `value` is a Uint8Array (a Node Buffer is one).
 *
 * @example
 * ```ts
 * requireBytes(bytes, 'bytes');
 * ```
 */
export function requireBytes(value: unknown, what: string): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new InvalidArgumentError(`${what}: expected the bytes of a .nii or .nii.gz as a Uint8Array; received ${describeValue(value)}`);
  }
}

/**
 * Throws a InvalidArgumentError unless `value` is a non-empty string (or undefined, when `optional`).
 *
 * @example
 * ```ts
 * requireString(path, 'path');
 * ```
 */
export function requireString(value: unknown, what: string, optional = false): void {
  if (!(typeof value === 'string' && value !== '') && !(optional && value === undefined)) {
    throw new InvalidArgumentError(`${what}: expected a non-empty string${optional ? ' or undefined' : ''}; received ${describeValue(value)}`);
  }
}

/**
 * Throws a InvalidArgumentError unless `value` is an options object (or undefined); gives it as an
 * object.
 *
 * @example
 * ```ts
 * const { level } = requireOptions(options, 'options');
 * ```
 */
export function requireOptions(value: unknown, what: string): Record<string, unknown> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InvalidArgumentError(`${what}: expected an options object or undefined; received ${describeValue(value)}`);
  return value as Record<string, unknown>;
}

/**
 * Checks the options of a reader; gives the name for messages and the allocation limit.
 *
 * @example
 * ```ts
 * const { file, maxBytes } = readOptions(options, 'NIfTI bytes');
 * ```
 */
export function readOptions(value: unknown, unnamed: string): { file: string; maxBytes: number } {
  const { file, maxBytes } = requireOptions(value, 'options');
  requireString(file, 'options.file', true);
  if (maxBytes !== undefined && !(typeof maxBytes === 'number' && maxBytes > 0)) {
    throw new InvalidArgumentError(`options.maxBytes: expected a number of bytes above 0; received ${describeValue(maxBytes)}`);
  }
  return { file: (file as string | undefined) ?? unnamed, maxBytes: (maxBytes as number | undefined) ?? DEFAULT_MAX_BYTES };
}
