import type { Volume, VoxelArray } from '@combat/volumes';
import { readOptions, requireBytes, type DecodeOptions } from './arguments.js';
import { PLATFORM_LITTLE_ENDIAN, datatypeByName } from './datatypes.js';
import { gunzipNifti } from './gunzip.js';
import { headerAffine, parseHeader, type NiftiHeader } from './header.js';
import { allocate, voxelLayout } from './layout.js';

/**
 * A NIfTI image as a volume: `metadata.nifti` holds the header (writers reuse it) and
 * `metadata.source` the file it came from, if any.
 *
 * @example
 * ```ts
 * const image: NiftiImage = decodeNifti(bytes);
 * image.header.datatype; // on-disk datatype, e.g. 'int16'
 * ```
 */
export interface NiftiImage extends Volume {
  readonly header: NiftiHeader;
}

/**
 * Whether bytes start with the gzip magic number.
 *
 * @example
 * ```ts
 * isGzip(Uint8Array.of(0x1f, 0x8b, 8)); // true
 * ```
 */
export function isGzip(bytes: Uint8Array): boolean {
  requireBytes(bytes, 'bytes');
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
 * JavaScript runtime; `file` names the source in errors.
 *
 * @example
 * ```ts
 * const image = decodeNifti(new Uint8Array(await (await fetch('t1.nii.gz')).arrayBuffer()), { file: 't1.nii.gz' });
 * image.shape; // [256, 256, 180]
 * ```
 */
export function decodeNifti(bytes: Uint8Array, options: DecodeOptions = {}): NiftiImage {
  requireBytes(bytes, 'bytes');
  const { file, maxBytes } = readOptions(options, UNNAMED);
  if (!isGzip(bytes)) return decodeUncompressed(bytes, options);
  const { header, block } = gunzipNifti(bytes, file, maxBytes);
  return buildImage(header, block, true, file, options.file);
}

/**
 * {@link decodeNifti} for bytes already decompressed. Bytes after the image are ignored.
 *
 * @example
 * ```ts
 * const image = decodeUncompressed(rawBytes, { file: 'sub-01.nii' });
 * ```
 */
export function decodeUncompressed(bytes: Uint8Array, options: DecodeOptions = {}): NiftiImage {
  requireBytes(bytes, 'bytes');
  const { file, maxBytes } = readOptions(options, UNNAMED);
  const header = parseHeader(bytes, file, { maxBytes });
  const block = bytes.subarray(header.voxOffset, header.voxOffset + voxelLayout(header).blockBytes);
  return buildImage(header, block, false, file, options.file);
}

/**
 * The image of a checked header and its voxel block. `owned` says the block is a buffer of its
 * own (as a reader's collector gives), which the voxels may then use without a copy; `source`
 * goes to `metadata.source`.
 *
 * @example
 * ```ts
 * const image = buildImage(header, block, true, path, path);
 * ```
 */
export function buildImage(header: NiftiHeader, block: Uint8Array, owned: boolean, file: string, source: string | undefined): NiftiImage {
  return {
    shape: header.dims.slice(1, header.dims[0] + 1),
    affine: headerAffine(header),
    data: scale(readVoxels(block, header, owned, file), header, file),
    header,
    metadata: source === undefined ? { nifti: header } : { nifti: header, source },
  };
}

/** The voxel block as a typed array of the on-disk type, in the platform's byte order. */
function readVoxels(block: Uint8Array, header: NiftiHeader, owned: boolean, file: string): VoxelArray {
  const type = datatypeByName(header.datatype);
  const { voxels, bytesPerVoxel: size } = voxelLayout(header);
  if (header.littleEndian === PLATFORM_LITTLE_ENDIAN || size === 1) {
    // A copy of just the voxel block, unless it is one already (Node's Buffer.slice would share the whole pooled buffer).
    const own = owned && block.byteOffset === 0 && block.buffer.byteLength === block.length ? block : allocate(() => new Uint8Array(block), block.length, header, file);
    return new type.array(own.buffer as ArrayBuffer);
  }
  const out = allocate(() => new type.array(voxels), block.length, header, file);
  const view = new DataView(block.buffer, block.byteOffset, block.length);
  for (let k = 0; k < voxels; k++) out[k] = type.read(view, k * size, header.littleEndian);
  return out;
}

/** `raw * slope + inter` in float64 when the header scales; the raw array otherwise. */
function scale(raw: VoxelArray, header: NiftiHeader, file: string): VoxelArray {
  if (!voxelLayout(header).scaled) return raw;
  const { sclSlope: slope, sclInter: inter } = header;
  const out = allocate(() => new Float64Array(raw.length), raw.length * 8, header, file);
  for (let k = 0; k < raw.length; k++) out[k] = raw[k] * slope + inter;
  return out;
}

/** How errors name bytes that came without a file name. */
const UNNAMED = 'NIfTI bytes';
