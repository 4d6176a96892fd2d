import { CombatError, type ErrorContext } from '@combat/core';

/**
 * A file or byte buffer that is not a NIfTI image this package can read: wrong magic, a truncated
 * header or voxel block, dimensions or datatype inconsistent with the size, an image larger than
 * `maxBytes` (then `remedy` is `{ maxBytes }`), a valid scl_slope with a non-finite scl_inter, an
 * unsupported datatype, corrupt gzip. The message names the file.
 *
 * @example
 * ```ts
 * try { await readNifti('scan.nii.gz'); }
 * catch (e) { if (e instanceof NiftiFormatError) console.error(e.file, e.message); }
 * ```
 */
export class NiftiFormatError extends CombatError {
  readonly code = 'NIFTI_FORMAT' as const;
  constructor(
    /** The file (or the name given for a byte buffer). */
    readonly file: string,
    detail: string,
    context: ErrorContext = {},
  ) {
    super(`${file}: ${detail}`, context);
  }
}

/**
 * A write that was refused: over one of the inputs, an image NIfTI-1 cannot hold, or a value that
 * float32 cannot hold (then `remedy` is `{ dtype: 'float64' }`).
 *
 * @example
 * ```ts
 * await writeNifti('in/sub-01.nii.gz', volume, { protect: ['in/sub-01.nii.gz'] }); // throws NiftiWriteError
 * ```
 */
export class NiftiWriteError extends CombatError {
  readonly code = 'NIFTI_WRITE' as const;
}
