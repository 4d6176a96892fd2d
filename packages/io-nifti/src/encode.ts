import { InvalidArgumentError, type Volume } from '@combat/base';
import { checkBoolean, checkInteger, checkOneOf, checkOptions, checkVolume, formatVoxel } from '@combat/base/internal';
import { gzipSync } from 'fflate';
import { NIFTI1 } from 'nifti-reader-js';
import { PLATFORM_LITTLE_ENDIAN, datatypeByName } from './datatypes.js';
import { NiftiWriteError } from './errors.js';
import { findHeaderProblem, headerAffine, type NiftiHeader } from './header.js';

/**
 * How {@link encodeNifti} encodes: the voxel type (`float32` by default: harmonized values are
 * never rounded to the input's integer type), whether to gzip, and the gzip level.
 *
 * @example
 * ```ts
 * const options: EncodeOptions = { dtype: 'float64', gzip: true, level: 9 };
 * decodeNifti(encodeNifti(decodeNifti(bytes), options)).header.datatype; // 'float64'
 * ```
 */
export interface EncodeOptions {
  readonly dtype?: 'float32' | 'float64';
  readonly gzip?: boolean;
  /** gzip level, 0 to 9 (default 6). */
  readonly level?: number;
}

/** Whether two affines agree to float32 precision (the header stores them as float32). */
function sameAffine(a: Float64Array, b: Float64Array): boolean {
  return a.every((value, k) => Math.abs(value - (b[k] as number)) <= 1e-5 * Math.max(1, Math.abs(value)));
}

/** Offset of the voxels in a single-file NIfTI-1: the header and the 4 extension bytes. */
const VOX_OFFSET = 352;

/**
 * Encodes a volume as a single-file NIfTI-1 (`.nii` bytes, gzipped on request), little-endian.
 * When the volume has a NIfTI `header` (as read images do) it is kept: qform and sform with their
 * codes, pixdim, units, description, intent; datatype, bitpix, voxel offset and scaling (slope 1,
 * intercept 0) are set for the new data and the sform rows from the volume's affine. When that
 * affine is not the header's (the volume was moved or resampled), the sform alone carries it
 * (code kept, or 2 when the header had none), the qform is dropped (code 0) and the voxel sizes
 * come from the affine, so every reader finds the volume where its affine says. Without
 * one, the header is built like nibabel's (sform code 2, qform code 0, voxel sizes from the
 * affine). NaN (missing) and infinite values are written as they are. Works in any JavaScript
 * runtime.
 *
 * @throws {@link NiftiWriteError} when a finite value is beyond float32's range (it would be
 * written as Infinity; the error names the voxel as (i, j, k), with `remedy: { dtype: 'float64' }`),
 * or the shape does not fit NIfTI-1 (more than 7 dimensions, or one over 32767).
 * @throws {@link InvalidArgumentError} when `volume` is not a volume, its `header` is not a NIfTI
 * header, or an option is of the wrong kind.
 * @example
 * ```ts
 * const image = decodeNifti(bytes);
 * const gz = encodeNifti(image, { gzip: true }); // a .nii.gz, float32
 * decodeNifti(gz).header.datatype; // 'float32'
 * decodeNifti(gz).data[0]; // 83
 * encodeNifti({ shape: [2, 1, 1], affine: image.affine, data: new Float32Array(3) });
 * // throws InvalidArgumentError: volume: data has 3 values; expected 2
 * ```
 */
export function encodeNifti(volume: Volume, options: EncodeOptions = {}): Uint8Array {
  return encodeVolume(volume, options, undefined);
}

/** {@link encodeNifti}, naming `target` (the output file, if any) in its errors. */
export function encodeVolume(volume: Volume, options: EncodeOptions, target: string | undefined): Uint8Array {
  const { dtype, gzip, level } = checkEncodeArguments(volume, options);
  if (!PLATFORM_LITTLE_ENDIAN) throw new NiftiWriteError('encoding NIfTI on a big-endian platform is not supported');
  const type = datatypeByName(dtype);
  const header = buildHeader(volume, dtype, volume.header as NiftiHeader | undefined);
  const { data } = volume;
  const bytes = new Uint8Array(VOX_OFFSET + data.length * type.array.BYTES_PER_ELEMENT);
  bytes.set(new Uint8Array(header.toArrayBuffer()), 0);
  // The voxels written in place (the offset is a multiple of 8, so aligned for either type),
  // converted by the engine as an assignment converts them.
  const voxels = new type.array(bytes.buffer, VOX_OFFSET, data.length);
  voxels.set(data);
  // Only float32 turns a finite value into an infinite one, and only from a wider type.
  if (dtype === 'float32' && !(data instanceof Float32Array)) {
    for (let k = 0; k < voxels.length; k++) if (voxels[k] - voxels[k] !== 0 && data[k] - data[k] === 0) throw overflow(volume, k, target);
  }
  return gzip ? gzipSync(bytes, { level: level as 6 }) : bytes;
}

function overflow(volume: Volume, at: number, target: string | undefined): NiftiWriteError {
  return new NiftiWriteError(
    `${target === undefined ? '' : `${target}: `}voxel ${formatVoxel(at, volume.shape)} is ${volume.data[at]}, beyond float32's range ` +
      `(largest ${FLOAT32_MAX}); as float32 it would be written as ${volume.data[at] > 0 ? '' : '-'}Infinity`,
    { remedy: { dtype: 'float64' } },
  );
}

const FLOAT32_MAX = 3.4028234663852886e38;


/** Checks the volume (a volume whose `header`, if any, is a NIfTI header) and the options. */
function checkEncodeArguments(volume: Volume, options: EncodeOptions): { dtype: 'float32' | 'float64'; gzip: boolean; level: number } {
  checkVolume(volume, 'volume');
  const template = volume.header;
  const headerProblem = template === undefined ? undefined : findHeaderProblem(template);
  if (headerProblem !== undefined) {
    throw new InvalidArgumentError(`volume.header: expected the header of a NIfTI image (as readNifti and decodeNifti give) or none; ${headerProblem}`);
  }
  const { dtype = 'float32', gzip = false, level = 6 } = checkOptions(options);
  return { dtype: checkOneOf(dtype, 'options.dtype', ['float32', 'float64'] as const), gzip: checkBoolean(gzip, 'options.gzip'), level: checkInteger(level, 'options.level', 0, 9) };
}

function buildHeader(volume: Volume, dtype: 'float32' | 'float64', template: NiftiHeader | undefined): NIFTI1 {
  const { shape, affine } = volume;
  if (shape.length > 7) throw new NiftiWriteError(`a NIfTI image has 1 to 7 dimensions; this volume has ${shape.length}`);
  const tooLarge = shape.findIndex((n) => n > 32767);
  if (tooLarge >= 0) throw new NiftiWriteError(`dimension ${tooLarge + 1} is ${shape[tooLarge]}; NIfTI-1 holds at most 32767 per dimension`);
  const h = new NIFTI1();
  h.littleEndian = true;
  h.dims = [shape.length, ...Array.from({ length: 7 }, (_, k) => shape[k] ?? 1)];
  h.datatypeCode = datatypeByName(dtype).code;
  h.numBitsPerVoxel = dtype === 'float32' ? 32 : 64;
  h.vox_offset = VOX_OFFSET;
  h.scl_slope = 1;
  h.scl_inter = 0;
  h.magic = 'n+1';
  h.affine = [0, 1, 2, 3].map((r) => [0, 1, 2, 3].map((c) => affine[r * 4 + c]));
  if (template === undefined) {
    const zooms = [0, 1, 2].map((c) => Math.hypot(affine[c], affine[4 + c], affine[8 + c]));
    h.pixDims = [1, ...zooms, 1, 1, 1, 1];
    h.sform_code = 2;
    h.qform_code = 0;
    h.xyzt_units = 2; // millimetres
    return h;
  }
  h.pixDims = [...template.pixdim];
  if (sameAffine(affine, headerAffine(template))) {
    h.qform_code = template.qformCode;
    h.sform_code = template.sformCode;
    [h.quatern_b, h.quatern_c, h.quatern_d] = template.quatern;
    [h.qoffset_x, h.qoffset_y, h.qoffset_z] = template.qoffset;
  } else {
    // The volume was moved: the sform alone says where it is, so no reader finds the old qform.
    h.sform_code = template.sformCode > 0 ? template.sformCode : 2;
    h.qform_code = 0;
    const zooms = [0, 1, 2].map((c) => Math.hypot(affine[c], affine[4 + c], affine[8 + c]));
    h.pixDims = [template.pixdim[0] ?? 1, ...zooms, ...template.pixdim.slice(4)];
  }
  h.xyzt_units = template.xyztUnits;
  h.description = truncate(template.description, 80);
  h.aux_file = truncate(template.auxFile, 24);
  h.intent_code = template.intentCode;
  h.intent_name = truncate(template.intentName, 16);
  [h.intent_p1, h.intent_p2, h.intent_p3] = template.intentParameters;
  h.dim_info = template.dimInfo;
  h.slice_code = template.sliceCode;
  h.slice_start = template.sliceStart;
  h.slice_end = template.sliceEnd;
  h.slice_duration = template.sliceDuration;
  h.toffset = template.toffset;
  return h;
}

/** Cuts a string to fit a fixed-size, NUL-terminated header field of `bytes` bytes. */
function truncate(text: string, bytes: number): string {
  const encoded = new TextEncoder().encode(text);
  if (encoded.length < bytes) return text;
  return new TextDecoder().decode(encoded.subarray(0, bytes - 1)).replace(/\uFFFD$/, '');
}
