import type { Volume, VoxelArray } from '@combat/volumes';
import { gunzipSync } from 'fflate';
import { PLATFORM_LITTLE_ENDIAN, datatypeByName } from './datatypes.js';
import { NiftiFormatError } from './errors.js';
import { headerAffine, parseHeader, type NiftiHeader } from './header.js';

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
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Decodes a `.nii` or `.nii.gz` held in memory (NIfTI-1 or NIfTI-2, either byte order). Voxels
 * come in i-fastest order in their on-disk type, or as float64 with `scl_slope` and `scl_inter`
 * applied when the header scales them (a slope of 0 or NaN means unscaled, as in nibabel).
 * Works in any JavaScript runtime; `file` names the source in errors.
 *
 * @example
 * ```ts
 * const image = decodeNifti(new Uint8Array(await (await fetch('t1.nii.gz')).arrayBuffer()), { file: 't1.nii.gz' });
 * image.shape; // [256, 256, 180]
 * ```
 */
export function decodeNifti(bytes: Uint8Array, options: { file?: string } = {}): NiftiImage {
  return decodeUncompressed(isGzip(bytes) ? gunzip(bytes, options.file ?? UNNAMED) : bytes, options);
}

/**
 * {@link decodeNifti} for bytes already decompressed (the Node reader inflates with zlib).
 *
 * @example
 * ```ts
 * const image = decodeUncompressed(rawBytes, { file: 'sub-01.nii' });
 * ```
 */
export function decodeUncompressed(bytes: Uint8Array, options: { file?: string } = {}): NiftiImage {
  const header = parseHeader(bytes, options.file ?? UNNAMED);
  const shape = header.dims.slice(1, header.dims[0] + 1);
  const voxels = shape.reduce((a, n) => a * n, 1);
  const raw = readVoxels(bytes, header, voxels);
  return {
    shape,
    affine: headerAffine(header),
    data: scale(raw, header),
    header,
    metadata: options.file === undefined ? { nifti: header } : { nifti: header, source: options.file },
  };
}

function gunzip(bytes: Uint8Array, file: string): Uint8Array {
  try {
    return gunzipSync(bytes);
  } catch (error) {
    throw new NiftiFormatError(file, `corrupt gzip data: ${(error as Error).message}`);
  }
}

/** The voxel block as a typed array of the on-disk type, in the platform's byte order. */
function readVoxels(bytes: Uint8Array, header: NiftiHeader, voxels: number): VoxelArray {
  const type = datatypeByName(header.datatype);
  const size = type.array.BYTES_PER_ELEMENT;
  if (header.littleEndian === PLATFORM_LITTLE_ENDIAN || size === 1) {
    // A copy of just the voxel block (Node's Buffer.slice would share the whole pooled buffer).
    const copy = new Uint8Array(bytes.subarray(header.voxOffset, header.voxOffset + voxels * size));
    return new type.array(copy.buffer);
  }
  const out = new type.array(voxels);
  const view = new DataView(bytes.buffer, bytes.byteOffset + header.voxOffset, voxels * size);
  for (let k = 0; k < voxels; k++) out[k] = type.read(view, k * size, header.littleEndian);
  return out;
}

/** `raw * slope + inter` in float64 when the header scales; the raw array otherwise. */
function scale(raw: VoxelArray, header: NiftiHeader): VoxelArray {
  const { sclSlope: slope, sclInter } = header;
  const inter = Number.isFinite(sclInter) ? sclInter : 0;
  if (slope === 0 || !Number.isFinite(slope) || (slope === 1 && inter === 0)) return raw;
  const out = new Float64Array(raw.length);
  for (let k = 0; k < raw.length; k++) out[k] = raw[k] * slope + inter;
  return out;
}

/** How errors name bytes that came without a file name. */
const UNNAMED = 'NIfTI bytes';
