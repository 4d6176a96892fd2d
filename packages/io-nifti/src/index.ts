/**
 * @combat/io-nifti: NIfTI-1 and NIfTI-2 images (`.nii`, `.nii.gz`) as `@combat/base` volumes,
 * decoded from and encoded to bytes in any JavaScript runtime. Files are read and written under
 * `@combat/io-nifti/node`.
 */
export { DEFAULT_MAX_BYTES, type DecodeOptions } from './arguments.js';
export { type NiftiDatatype } from './datatypes.js';
export { decodeNifti, type NiftiImage } from './decode.js';
export { encodeNifti, type EncodeOptions } from './encode.js';
export { NiftiFormatError, NiftiWriteError } from './errors.js';
export { type NiftiHeader } from './header.js';
