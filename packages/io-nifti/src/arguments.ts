import { checkNonEmptyString, checkOptions, refuseArgument } from '@combat/base/internal';

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

/** What the readers expect of their bytes, in messages. */
export const NIFTI_BYTES = 'the bytes of a .nii or .nii.gz as a Uint8Array';

/**
 * Checks the options of a reader; gives the source as given (undefined when none), the name
 * errors use (the source, or `unnamed`) and the allocation limit.
 */
export function readOptions(value: unknown, unnamed: string): { source: string | undefined; name: string; maxBytes: number } {
  const { source, maxBytes } = checkOptions(value);
  if (source !== undefined) checkNonEmptyString(source, 'options.source');
  if (maxBytes !== undefined && !(typeof maxBytes === 'number' && maxBytes > 0)) refuseArgument('options.maxBytes', 'a number of bytes above 0', maxBytes);
  return { source: source as string | undefined, name: (source as string | undefined) ?? unnamed, maxBytes: (maxBytes as number | undefined) ?? DEFAULT_MAX_BYTES };
}
