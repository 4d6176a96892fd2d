export { DEFAULT_MAX_BYTES, type DecodeOptions } from './arguments.js';
export { datatypeByCode, datatypeByName, PLATFORM_LITTLE_ENDIAN, type NiftiDatatype } from './datatypes.js';
export { decodeNifti, decodeUncompressed, isGzip, type NiftiImage } from './decode.js';
export { encodeNifti, type EncodeOptions } from './encode.js';
export { NiftiFormatError, NiftiWriteError } from './errors.js';
export { findHeaderProblem, headerAffine, parseHeader, type NiftiHeader } from './header.js';
