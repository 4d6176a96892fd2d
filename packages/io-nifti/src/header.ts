import { InvalidArgumentError } from '@combat/base';
import { checkBytes, checkNonEmptyString, describeValue } from '@combat/base/internal';
import { NIFTI1, NIFTI2 } from 'nifti-reader-js';
import { NIFTI_BYTES, readOptions } from './arguments.js';
import { datatypeByCode, type NiftiDatatype } from './datatypes.js';
import { NiftiFormatError } from './errors.js';
import { checkImageSize, imageEnd, truncatedVoxelData } from './layout.js';

/**
 * The fields of a NIfTI-1 or NIfTI-2 header that describe the image, as plain values: an image's
 * `header`, which `encodeNifti` and `writeNifti` reuse.
 *
 * @example
 * ```ts
 * const { header } = decodeNifti(bytes);
 * [header.version, header.datatype, header.littleEndian]; // [1, 'int16', true]
 * header.dims.slice(1, 1 + header.dims[0]); // [7, 6, 5]
 * header.sformCode; // 2
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
 * dimensions, datatype, bitpix, voxel offset, scaling, that the image is no larger than
 * `options.maxBytes` (default 1 GiB) and that the voxel block fits in the bytes given. `source`
 * names the bytes in error messages.
 */
export function parseHeader(bytes: Uint8Array, source: string, options: { maxBytes?: number } = {}): NiftiHeader {
  checkBytes(bytes, 'bytes', NIFTI_BYTES);
  checkNonEmptyString(source, 'source');
  const { maxBytes } = readOptions(options, source);
  const header = parseHeaderFields(bytes, source);
  checkImageSize(header, source, maxBytes);
  if (imageEnd(header) > bytes.length) throw truncatedVoxelData(header, bytes.length, source);
  return header;
}

/**
 * The header size a NIfTI's first 4 bytes declare (348 or 540, in either byte order), or
 * undefined when they declare neither.
 */
export function declaredHeaderSize(bytes: Uint8Array): number | undefined {
  if (bytes.length < 4) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, 4);
  return [view.getInt32(0, true), view.getInt32(0, false)].find((size) => size === NIFTI1_SIZE || size === NIFTI2_SIZE);
}

/**
 * {@link parseHeader} without the checks of the voxel block against the bytes given and the size
 * limit: for a reader that has the header and not yet the voxels.
 */
export function parseHeaderFields(bytes: Uint8Array, source: string): NiftiHeader {
  const fail = (detail: string): never => {
    throw new NiftiFormatError(source, detail);
  };
  if (bytes.length < NIFTI1_SIZE) fail(`truncated header: ${bytes.length} bytes, a NIfTI header needs at least ${NIFTI1_SIZE}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const sizeLE = view.getInt32(0, true);
  const size = declaredHeaderSize(bytes) ?? fail(`not a NIfTI file: the header size field is ${sizeLE}; expected ${NIFTI1_SIZE} or ${NIFTI2_SIZE}`);
  const littleEndian = sizeLE === size;
  const version = size === NIFTI1_SIZE ? 1 : 2;
  if (bytes.length < size) fail(`truncated header: ${bytes.length} bytes, a NIfTI-${version} header needs ${size}`);
  const magic = String.fromCharCode(...bytes.subarray(version === 1 ? 344 : 4, version === 1 ? 347 : 7));
  if (magic === (version === 1 ? 'ni1' : 'ni2')) fail('a .hdr/.img pair is not supported; expected a single-file .nii or .nii.gz');
  if (magic !== (version === 1 ? 'n+1' : 'n+2')) fail(`wrong magic ${JSON.stringify(magic)}; expected "n+${version}"`);

  // The class of the version the size field declares (nifti-reader-js's readHeader would go by
  // the magic at byte 344 first, which a NIfTI-2 header may hold by chance in its qform_code).
  const raw = version === 1 ? new NIFTI1() : new NIFTI2();
  try {
    raw.readHeader(new Uint8Array(bytes.subarray(0, size)).buffer);
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
    // NIFTI2 has no getDatatypeCodeString; NIFTI1's names the codes of both versions.
    return fail(`datatype ${raw.datatypeCode} (${new NIFTI1().getDatatypeCodeString(raw.datatypeCode)}) is not supported; expected uint8, int8, int16, uint16, int32, uint32, float32 or float64`);
  }
  const bytesPerVoxel = datatype.array.BYTES_PER_ELEMENT;
  if (raw.numBitsPerVoxel !== bytesPerVoxel * 8) fail(`bitpix is ${raw.numBitsPerVoxel}; datatype ${datatype.name} has ${bytesPerVoxel * 8} bits`);
  const voxOffset = raw.vox_offset;
  if (!Number.isSafeInteger(voxOffset) || voxOffset < size) fail(`vox_offset is ${voxOffset}; expected a whole number of at least ${size}`);
  if (Number.isFinite(raw.scl_slope) && raw.scl_slope !== 0 && !Number.isFinite(raw.scl_inter)) {
    fail(`scl_slope is ${raw.scl_slope} but scl_inter is ${raw.scl_inter}; a valid slope needs a finite intercept (nibabel refuses this too)`);
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
 */
export function headerAffine(header: NiftiHeader): Float64Array {
  requireHeader(header, 'header');
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

const NUMBER_FIELDS = ['bitpix', 'voxOffset', 'sclSlope', 'sclInter', 'qformCode', 'sformCode', 'xyztUnits', 'intentCode', 'calMin', 'calMax', 'dimInfo', 'sliceCode', 'sliceStart', 'sliceEnd', 'sliceDuration', 'toffset'] as const;
const STRING_FIELDS = ['datatype', 'description', 'auxFile', 'intentName'] as const;
const LIST_FIELDS = { dims: 8, pixdim: 8, quatern: 3, qoffset: 3, srow: 12, intentParameters: 3 } as const;

/**
 * Why a value is not a {@link NiftiHeader} (as `parseHeader` gives, and as writers reuse from
 * a volume's `header`), or undefined when it is one: the field that is missing or of the wrong type.
 */
export function findHeaderProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return `expected a NIfTI header object; received ${describeValue(value)}`;
  const header = value as Record<string, unknown>;
  if (header.version !== 1 && header.version !== 2) return `version: expected 1 or 2; received ${describeValue(header.version)}`;
  if (typeof header.littleEndian !== 'boolean') return `littleEndian: expected true or false; received ${describeValue(header.littleEndian)}`;
  const number = NUMBER_FIELDS.find((name) => typeof header[name] !== 'number');
  if (number !== undefined) return `${number}: expected a number; received ${describeValue(header[number])}`;
  const string = STRING_FIELDS.find((name) => typeof header[name] !== 'string');
  if (string !== undefined) return `${string}: expected a string; received ${describeValue(header[string])}`;
  for (const [name, length] of Object.entries(LIST_FIELDS)) {
    const list = header[name];
    if (!Array.isArray(list) || list.length !== length || !list.every((x) => typeof x === 'number')) {
      return `${name}: expected ${length} numbers; received ${describeValue(list)}`;
    }
  }
  return undefined;
}

/** Throws an InvalidArgumentError naming `what` unless `value` is a NIfTI header. */
function requireHeader(value: unknown, what: string): asserts value is NiftiHeader {
  const problem = findHeaderProblem(value);
  if (problem !== undefined) throw new InvalidArgumentError(`${what}: ${problem}`);
}
