import { CombatError, type ErrorContext } from '@combat/base';

/**
 * A file or byte buffer that is not a NIfTI image this package can read: wrong magic, a truncated
 * header or voxel block, dimensions or datatype inconsistent with the size, an image larger than
 * `maxBytes` (then `remedy` is `{ maxBytes }`), a valid scl_slope with a non-finite scl_inter, an
 * unsupported datatype, corrupt gzip. The message starts with `source`, the file (or the name
 * given for a byte buffer). A file that cannot be read at all is `@combat/base`'s
 * `InputReadError`.
 *
 * @example
 * ```ts
 * const error = await readNifti('sub-01_FA.nii.gz', { maxBytes: 100 }).catch((e: unknown) => e);
 * error instanceof NiftiFormatError && error.source; // 'sub-01_FA.nii.gz'
 * decodeNifti(new Uint8Array(400), { source: 'zeros.nii' });
 * // throws NiftiFormatError: zeros.nii: not a NIfTI file: the header size field is 0; expected 348 or 540
 * ```
 */
export class NiftiFormatError extends CombatError {
  override readonly name = 'NiftiFormatError' as const;
  readonly code = 'NIFTI_FORMAT' as const;
  constructor(
    /** Where the bytes came from: the file, or the name given for a byte buffer. */
    readonly source: string,
    detail: string,
    context: ErrorContext = {},
  ) {
    super(`${source}: ${detail}`, context);
  }
}

/**
 * An image NIfTI-1 cannot hold: a finite value that float32 cannot hold (it would be written as
 * Infinity; then `remedy` is `{ dtype: 'float64' }`), more than 7 dimensions, or a dimension
 * over 32767. (A write over one of the inputs is base's `InputOverwriteError`.)
 *
 * @example
 * ```ts
 * import { identityAffine } from '@combat/base';
 * const huge = { shape: [1, 1, 1], affine: identityAffine(), data: Float64Array.of(1e40) };
 * encodeNifti(huge); // throws NiftiWriteError: voxel (0, 0, 0) is 1e+40, beyond float32's range
 * encodeNifti(huge, { dtype: 'float64' }).length; // 360
 * ```
 */
export class NiftiWriteError extends CombatError {
  override readonly name = 'NiftiWriteError' as const;
  readonly code = 'NIFTI_WRITE' as const;
}
