/**
 * Builds NIfTI-1 and NIfTI-2 bytes field by field, and reads them back independently of the
 * package (the hostile-input tests' oracle), so that neither side borrows the other's mistakes.
 */

/** The datatypes the reader supports: code -> name, bytes per voxel, getter. */
export const TYPES: Record<number, { name: string; size: number; get: (v: DataView, at: number, le: boolean) => number }> = {
  2: { name: 'uint8', size: 1, get: (v, at) => v.getUint8(at) },
  4: { name: 'int16', size: 2, get: (v, at, le) => v.getInt16(at, le) },
  8: { name: 'int32', size: 4, get: (v, at, le) => v.getInt32(at, le) },
  16: { name: 'float32', size: 4, get: (v, at, le) => v.getFloat32(at, le) },
  64: { name: 'float64', size: 8, get: (v, at, le) => v.getFloat64(at, le) },
  256: { name: 'int8', size: 1, get: (v, at) => v.getInt8(at) },
  512: { name: 'uint16', size: 2, get: (v, at, le) => v.getUint16(at, le) },
  768: { name: 'uint32', size: 4, get: (v, at, le) => v.getUint32(at, le) },
};

/** Every field the reader looks at, with the value to write. */
export interface ImageSpec {
  readonly version: 1 | 2;
  readonly littleEndian: boolean;
  /** Written to the size field; 348 or 540 for a valid header. */
  readonly sizeofHdr: number;
  readonly magic: string;
  readonly dims: readonly number[];
  readonly datatype: number;
  readonly bitpix: number;
  readonly voxOffset: number;
  readonly slope: number;
  readonly inter: number;
  /** The voxel block's bytes, written from `voxOffset` on (or after the header when that is not a usable offset). */
  readonly data: Uint8Array;
  /** Bytes appended after the voxels (a trailing tail that a reader must ignore). */
  readonly trailing: number;
}

const layout = {
  1: { size: 348, magic: 344, dims: 40, dimBytes: 2, datatype: 70, bitpix: 72, voxOffset: 108, slope: 112, inter: 116, float: 4 },
  2: { size: 540, magic: 4, dims: 16, dimBytes: 8, datatype: 12, bitpix: 14, voxOffset: 168, slope: 176, inter: 184, float: 8 },
} as const;

/** The bytes of a spec: header, zeros up to `voxOffset`, voxels, trailing zeros. */
export function buildNifti(spec: ImageSpec): Uint8Array {
  const l = layout[spec.version];
  const dataStart = Number.isSafeInteger(spec.voxOffset) && spec.voxOffset >= l.size && spec.voxOffset < 1 << 16 ? spec.voxOffset : l.size + 4;
  const bytes = new Uint8Array(dataStart + spec.data.length + spec.trailing);
  const view = new DataView(bytes.buffer);
  const le = spec.littleEndian;
  view.setInt32(0, spec.sizeofHdr, le);
  for (let k = 0; k < 8; k++) {
    if (l.dimBytes === 2) view.setInt16(l.dims + 2 * k, spec.dims[k] ?? 1, le);
    else view.setBigInt64(l.dims + 8 * k, BigInt(spec.dims[k] ?? 1), le);
  }
  view.setInt16(l.datatype, spec.datatype, le);
  view.setInt16(l.bitpix, spec.bitpix, le);
  const setFloat = (at: number, x: number) => (l.float === 4 ? view.setFloat32(at, x, le) : view.setFloat64(at, x, le));
  if (spec.version === 1) view.setFloat32(l.voxOffset, spec.voxOffset, le);
  else view.setBigInt64(l.voxOffset, Number.isFinite(spec.voxOffset) ? BigInt(Math.trunc(spec.voxOffset)) : 0n, le);
  setFloat(l.slope, spec.slope);
  setFloat(l.inter, spec.inter);
  // pixdim: qfac 1 and unit voxel sizes; qform and sform codes stay 0.
  for (let k = 0; k < 4; k++) setFloat(spec.version === 1 ? 76 + 4 * k : 104 + 8 * k, 1);
  for (let k = 0; k < spec.magic.length && k < 4; k++) bytes[l.magic + k] = spec.magic.charCodeAt(k) & 0xff;
  bytes.set(spec.data, dataStart);
  return bytes;
}

/** What a correct reader gives for some bytes: the shape and voxel values, or `invalid`. */
export type Reading = { shape: number[]; values: Float64Array; scaled: boolean } | 'invalid';

/**
 * Reads uncompressed NIfTI bytes by the rules the reader documents (and nibabel follows):
 * size field 348 or 540 in either byte order, magic `n+1`/`n+2`, 1 to 7 dims of at least 1, a
 * supported datatype with its bitpix, a whole vox_offset of at least the header size, no valid
 * slope with a non-finite intercept, an array of at most `maxBytes`, and the voxels inside the bytes.
 */
export function readByRules(bytes: Uint8Array, maxBytes = 2 ** 32): Reading {
  if (bytes.length < 348) return 'invalid';
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = [348, 540].includes(view.getInt32(0, true));
  const size = view.getInt32(0, le);
  if (size !== 348 && size !== 540) return 'invalid';
  const version = size === 348 ? 1 : 2;
  const l = layout[version];
  if (bytes.length < size) return 'invalid';
  if (String.fromCharCode(...bytes.subarray(l.magic, l.magic + 3)) !== `n+${version}`) return 'invalid';
  const dim = (k: number) => (version === 1 ? view.getInt16(l.dims + 2 * k, le) : Number(view.getBigInt64(l.dims + 8 * k, le)));
  const ndim = dim(0);
  if (ndim < 1 || ndim > 7) return 'invalid';
  const shape = Array.from({ length: ndim }, (_, k) => dim(k + 1));
  if (shape.some((n) => n < 1)) return 'invalid';
  const type = TYPES[view.getInt16(l.datatype, le)];
  if (type === undefined || view.getInt16(l.bitpix, le) !== 8 * type.size) return 'invalid';
  const float = (at: number) => (version === 1 ? view.getFloat32(at, le) : view.getFloat64(at, le));
  const voxOffset = version === 1 ? view.getFloat32(l.voxOffset, le) : Number(view.getBigInt64(l.voxOffset, le));
  if (!Number.isSafeInteger(voxOffset) || voxOffset < size) return 'invalid';
  const [slope, inter] = [float(l.slope), float(l.inter)];
  if (Number.isFinite(slope) && slope !== 0 && !Number.isFinite(inter)) return 'invalid';
  const scaled = Number.isFinite(slope) && slope !== 0 && !(slope === 1 && inter === 0);
  const voxels = shape.reduce((a, n) => a * n, 1);
  if (voxels * (scaled ? 8 : type.size) > maxBytes) return 'invalid';
  if (voxOffset + voxels * type.size > bytes.length) return 'invalid';
  const values = Float64Array.from({ length: voxels }, (_, k) => {
    const raw = type.get(view, voxOffset + k * type.size, le);
    return scaled ? raw * slope + inter : raw;
  });
  return { shape, values, scaled };
}
