import { NIFTI1, NIFTI2, readHeader } from 'nifti-reader-js';
import { datatypeByCode, type NiftiDatatype } from './datatypes.js';
import { NiftiFormatError } from './errors.js';

/**
 * The fields of a NIfTI-1 or NIfTI-2 header that describe the image, as plain values.
 *
 * @example
 * ```ts
 * const { header } = decodeNifti(bytes);
 * header.dims.slice(1, 1 + header.dims[0]); // the shape
 * ```
 */
export interface NiftiHeader {
  readonly version: 1 | 2;
  readonly littleEndian: boolean;
  /** `dim[0..7]`: the number of dimensions, then the size of each. */
  readonly dims: readonly number[];
  readonly datatype: NiftiDatatype;
  readonly bitpix: number;
  /** `pixdim[0..7]`: qfac, then voxel sizes. */
  readonly pixdim: readonly number[];
  readonly voxOffset: number;
  readonly sclSlope: number;
  readonly sclInter: number;
  readonly qformCode: number;
  readonly sformCode: number;
  readonly quatern: readonly [number, number, number];
  readonly qoffset: readonly [number, number, number];
  /** `srow_x`, `srow_y`, `srow_z`, 4 values each. */
  readonly srow: readonly number[];
  readonly xyztUnits: number;
  readonly description: string;
  readonly auxFile: string;
  readonly intentCode: number;
  readonly intentName: string;
  readonly intentParameters: readonly [number, number, number];
  readonly calMin: number;
  readonly calMax: number;
  readonly dimInfo: number;
  readonly sliceCode: number;
  readonly sliceStart: number;
  readonly sliceEnd: number;
  readonly sliceDuration: number;
  readonly toffset: number;
}

const NIFTI1_SIZE = 348;
const NIFTI2_SIZE = 540;

/**
 * Parses and checks the header at the start of uncompressed NIfTI bytes: size field, magic,
 * dimensions, datatype, bitpix, voxel offset, and that the voxel block fits in the bytes given.
 * `file` names the source in error messages.
 *
 * @example
 * ```ts
 * const header = parseHeader(bytes, 'sub-01.nii');
 * header.datatype; // 'int16'
 * ```
 */
export function parseHeader(bytes: Uint8Array, file: string): NiftiHeader {
  const fail = (detail: string): never => {
    throw new NiftiFormatError(file, detail);
  };
  if (bytes.length < NIFTI1_SIZE) fail(`truncated header: ${bytes.length} bytes, a NIfTI header needs at least ${NIFTI1_SIZE}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const sizeLE = view.getInt32(0, true);
  const sizeBE = view.getInt32(0, false);
  const littleEndian = sizeLE === NIFTI1_SIZE || sizeLE === NIFTI2_SIZE;
  const size = littleEndian ? sizeLE : sizeBE;
  if (size !== NIFTI1_SIZE && size !== NIFTI2_SIZE) fail(`not a NIfTI file: the header size field is ${sizeLE}; expected ${NIFTI1_SIZE} or ${NIFTI2_SIZE}`);
  const version = size === NIFTI1_SIZE ? 1 : 2;
  if (bytes.length < size) fail(`truncated header: ${bytes.length} bytes, a NIfTI-${version} header needs ${size}`);
  const magic = String.fromCharCode(...bytes.subarray(version === 1 ? 344 : 4, version === 1 ? 347 : 7));
  if (magic === (version === 1 ? 'ni1' : 'ni2')) fail('a .hdr/.img pair is not supported; expected a single-file .nii or .nii.gz');
  if (magic !== (version === 1 ? 'n+1' : 'n+2')) fail(`wrong magic ${JSON.stringify(magic)}; expected "n+${version}"`);

  let raw: NIFTI1 | NIFTI2;
  try {
    raw = readHeader(new Uint8Array(bytes.subarray(0, size)).buffer);
  } catch (error) {
    return fail(`unreadable header: ${(error as Error).message}`);
  }
  const ndim = raw.dims[0];
  if (!Number.isInteger(ndim) || ndim < 1 || ndim > 7) fail(`dim[0] is ${ndim}; expected 1 to 7 dimensions`);
  for (let axis = 1; axis <= ndim; axis++) {
    if (!Number.isInteger(raw.dims[axis]) || raw.dims[axis] < 1) fail(`dim[${axis}] is ${raw.dims[axis]}; expected a size of at least 1`);
  }
  const datatype = datatypeByCode(raw.datatypeCode);
  if (datatype === undefined) {
    return fail(`datatype ${raw.datatypeCode} (${raw.getDatatypeCodeString(raw.datatypeCode)}) is not supported; expected uint8, int8, int16, uint16, int32, uint32, float32 or float64`);
  }
  const bytesPerVoxel = datatype.array.BYTES_PER_ELEMENT;
  if (raw.numBitsPerVoxel !== bytesPerVoxel * 8) fail(`bitpix is ${raw.numBitsPerVoxel}; datatype ${datatype.name} has ${bytesPerVoxel * 8} bits`);
  const voxOffset = raw.vox_offset;
  if (!Number.isInteger(voxOffset) || voxOffset < size) fail(`vox_offset is ${voxOffset}; expected a whole number of at least ${size}`);
  const voxels = raw.dims.slice(1, ndim + 1).reduce((a, n) => a * n, 1);
  const needed = voxels * bytesPerVoxel;
  if (voxOffset + needed > bytes.length) {
    fail(
      `truncated voxel data: dims ${raw.dims.slice(1, ndim + 1).join('x')} of ${datatype.name} need ${needed} bytes after offset ${voxOffset}; ` +
        `the file has ${Math.max(0, bytes.length - voxOffset)}`,
    );
  }
  const srow = Array.from({ length: 12 }, (_, k) =>
    version === 1 ? view.getFloat32(280 + 4 * k, littleEndian) : view.getFloat64(400 + 8 * k, littleEndian),
  );
  return {
    version,
    littleEndian,
    dims: Array.from({ length: 8 }, (_, k) => raw.dims[k] ?? 0),
    datatype: datatype.name,
    bitpix: raw.numBitsPerVoxel,
    pixdim: Array.from({ length: 8 }, (_, k) => raw.pixDims[k] ?? 0),
    voxOffset,
    sclSlope: raw.scl_slope,
    sclInter: raw.scl_inter,
    qformCode: raw.qform_code,
    sformCode: raw.sform_code,
    quatern: [raw.quatern_b, raw.quatern_c, raw.quatern_d],
    qoffset: [raw.qoffset_x, raw.qoffset_y, raw.qoffset_z],
    srow,
    xyztUnits: raw.xyzt_units,
    description: raw.description,
    auxFile: raw.aux_file,
    intentCode: raw.intent_code,
    intentName: raw.intent_name,
    intentParameters: [raw.intent_p1, raw.intent_p2, raw.intent_p3],
    calMin: raw.cal_min,
    calMax: raw.cal_max,
    dimInfo: raw.dim_info,
    sliceCode: raw.slice_code,
    sliceStart: raw.slice_start,
    sliceEnd: raw.slice_end,
    sliceDuration: raw.slice_duration,
    toffset: raw.toffset,
  };
}

/**
 * The voxel-to-world affine nibabel reports (`get_best_affine`): the sform when its code is
 * above 0, else the qform when its code is above 0, else voxel sizes about the volume's centre.
 * 4 x 4, row-major.
 *
 * @example
 * ```ts
 * headerAffine(header); // Float64Array(16)
 * ```
 */
export function headerAffine(header: NiftiHeader): Float64Array {
  if (header.sformCode > 0) return Float64Array.of(...header.srow, 0, 0, 0, 1);
  if (header.qformCode > 0) return qformAffine(header);
  const [, dx = 1, dy = 1, dz = 1] = header.pixdim;
  const [, nx = 1, ny = 1, nz = 1] = header.dims;
  const zooms = [-dx, dy, dz];
  const origin = [(nx - 1) / 2, (ny - 1) / 2, (nz - 1) / 2];
  return Float64Array.of(zooms[0], 0, 0, -origin[0] * zooms[0], 0, zooms[1], 0, -origin[1] * zooms[1], 0, 0, zooms[2], -origin[2] * zooms[2], 0, 0, 0, 1);
}

/** The qform: rotation from the quaternion (a >= 0 filled in), voxel sizes, qfac, offsets. */
function qformAffine(header: NiftiHeader): Float64Array {
  const [x, y, z] = header.quatern;
  // Rounding of the stored float32 values may make 1 - |bcd|^2 slightly negative: then a = 0.
  const w = Math.sqrt(Math.max(0, 1 - (x * x + y * y + z * z)));
  const norm = w * w + x * x + y * y + z * z;
  const s = 2 / norm;
  const [X, Y, Z] = [x * s, y * s, z * s];
  const rotation = [
    [1 - (y * Y + z * Z), x * Y - w * Z, x * Z + w * Y],
    [x * Y + w * Z, 1 - (x * X + z * Z), y * Z - w * X],
    [x * Z - w * Y, y * Z + w * X, 1 - (x * X + y * Y)],
  ];
  const qfac = header.pixdim[0] === -1 ? -1 : 1;
  const zooms = [header.pixdim[1] ?? 1, header.pixdim[2] ?? 1, (header.pixdim[3] ?? 1) * qfac];
  const affine = new Float64Array(16);
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) affine[r * 4 + c] = rotation[r][c] * zooms[c];
    affine[r * 4 + 3] = header.qoffset[r];
  }
  affine[15] = 1;
  return affine;
}
