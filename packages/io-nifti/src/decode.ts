import type { Volume, VoxelArray } from '@combat/base';
import { checkBytes } from '@combat/base/internal';
import { NIFTI_BYTES, readOptions, type DecodeOptions } from './arguments.js';
import { PLATFORM_LITTLE_ENDIAN, datatypeByName } from './datatypes.js';
import { gunzipNifti } from './gunzip.js';
import { headerAffine, parseHeader, type NiftiHeader } from './header.js';
import { allocate, voxelLayout } from './layout.js';

/**
 * A NIfTI image as a volume, as nibabel has one: the voxels, the shape, the affine, the header it
 * was read with (writers reuse it) and its `source` (the path it was read from, or the `source`
 * given to {@link decodeNifti}; absent when none was given).
 *
 * @example
 * ```ts
 * const image: NiftiImage = decodeNifti(bytes, { source: 'sub-01_FA.nii.gz' });
 * image.header.datatype; // 'int16'
 * image.header.dims.slice(1, 1 + image.header.dims[0]); // [7, 6, 5]
 * image.source; // 'sub-01_FA.nii.gz'
 * ```
 */
export type NiftiImage = Volume<NiftiHeader> & { readonly header: NiftiHeader };

/** Whether bytes start with the gzip magic number (0x1f 0x8b). */
export function isGzip(bytes: Uint8Array): boolean {
  checkBytes(bytes, 'bytes', NIFTI_BYTES);
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Decodes a `.nii` or `.nii.gz` held in memory (NIfTI-1 or NIfTI-2, either byte order). Voxels
 * come in i-fastest order in their on-disk type, or as float64 with `scl_slope` and `scl_inter`
 * applied when the header scales them (a slope of 0 or NaN means unscaled, as in nibabel; a valid
 * slope with a non-finite intercept is refused). gzip is inflated a slice at a time and only as
 * far as the header says the image needs (bytes after the image are ignored, as nibabel does);
 * each gzip member's CRC-32 is checked when the stream ends within 1 MiB after the image. An image
 * larger than `maxBytes` (default 1 GiB) is refused before anything is allocated. Works in any
 * JavaScript runtime; `options.source` becomes the image's `source` and names it in errors.
 *
 * @throws {@link NiftiFormatError} when the bytes are not a NIfTI image this package reads, or the
 * image is larger than `maxBytes`.
 * @throws {@link InvalidArgumentError} when `bytes` is not a Uint8Array or an option is of the wrong kind.
 * @example
 * ```ts
 * const image = decodeNifti(bytes, { source: 'sub-01_FA.nii.gz' });
 * image.shape; // [7, 6, 5]
 * image.data[0]; // 83
 * image.affine.length; // 16
 * decodeNifti(bytes.subarray(0, 100), { source: 'cut.nii.gz' }); // throws NiftiFormatError: cut.nii.gz: corrupt gzip data
 * ```
 */
export function decodeNifti(bytes: Uint8Array, options: DecodeOptions = {}): NiftiImage {
  checkBytes(bytes, 'bytes', NIFTI_BYTES);
  const { source, name, maxBytes } = readOptions(options, UNNAMED);
  if (!isGzip(bytes)) return decodeUncompressed(bytes, options);
  const { header, block } = gunzipNifti(bytes, name, maxBytes);
  return buildImage(header, block, true, name, source);
}

/** {@link decodeNifti} for bytes already decompressed. Bytes after the image are ignored. */
export function decodeUncompressed(bytes: Uint8Array, options: DecodeOptions = {}): NiftiImage {
  checkBytes(bytes, 'bytes', NIFTI_BYTES);
  const { source, name, maxBytes } = readOptions(options, UNNAMED);
  const header = parseHeader(bytes, name, { maxBytes });
  const block = bytes.subarray(header.voxOffset, header.voxOffset + voxelLayout(header).blockBytes);
  return buildImage(header, block, false, name, source);
}

/**
 * The image of a checked header and its voxel block. `owned` says nothing else refers to the
 * block's buffer, nor will (not a slice of Node's shared pool, not a caller's bytes; a reader's
 * collector gives a buffer of its own, and an inflating thread the one zlib filled, which may hold
 * more around the block): the voxels then use it in place, without a copy, when their type is
 * aligned in it; `name` is the source as errors name it, and `source` the image's `source` (none
 * when undefined).
 */
export function buildImage(header: NiftiHeader, block: Uint8Array, owned: boolean, name: string, source: string | undefined): NiftiImage {
  const image = {
    data: scale(readVoxels(block, header, owned, name), header, name),
    shape: header.dims.slice(1, header.dims[0] + 1),
    affine: headerAffine(header),
    header,
  };
  return source === undefined ? image : { ...image, source };
}

/** The voxel block as a typed array of the on-disk type, in the platform's byte order. */
function readVoxels(block: Uint8Array, header: NiftiHeader, owned: boolean, name: string): VoxelArray {
  const type = datatypeByName(header.datatype);
  const { voxels, bytesPerVoxel: size } = voxelLayout(header);
  if (header.littleEndian === PLATFORM_LITTLE_ENDIAN || size === 1) {
    if (owned && block.byteOffset % type.array.BYTES_PER_ELEMENT === 0) return new type.array(block.buffer as ArrayBuffer, block.byteOffset, voxels);
    // A copy of just the voxel block (Node's Buffer.slice would share the whole pooled buffer).
    return new type.array(allocate(() => new Uint8Array(block), block.length, header, name).buffer);
  }
  const out = allocate(() => new type.array(voxels), block.length, header, name);
  const view = new DataView(block.buffer, block.byteOffset, block.length);
  for (let k = 0; k < voxels; k++) out[k] = type.read(view, k * size, header.littleEndian);
  return out;
}

/** `raw * slope + inter` in float64 when the header scales; the raw array otherwise. */
function scale(raw: VoxelArray, header: NiftiHeader, name: string): VoxelArray {
  if (!voxelLayout(header).scaled) return raw;
  const { sclSlope: slope, sclInter: inter } = header;
  const out = allocate(() => new Float64Array(raw.length), raw.length * 8, header, name);
  for (let k = 0; k < raw.length; k++) out[k] = raw[k] * slope + inter;
  return out;
}

/** How errors name bytes that came without a file name. */
const UNNAMED = 'NIfTI bytes';
