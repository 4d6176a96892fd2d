import { InvalidArgumentError, type VoxelArray } from '@combat/base';
import { describeValue } from '@combat/base/internal';

/**
 * The NIfTI datatypes this package reads, by their numpy-style names (a header's `datatype`).
 *
 * @example
 * ```ts
 * const dtype: NiftiDatatype = decodeNifti(bytes).header.datatype;
 * dtype; // 'int16'
 * ```
 */
export type NiftiDatatype = 'uint8' | 'int8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'float32' | 'float64';

type VoxelArrayConstructor = {
  new (length: number): VoxelArray;
  new (buffer: ArrayBuffer, byteOffset?: number, length?: number): VoxelArray;
  readonly BYTES_PER_ELEMENT: number;
};

interface DatatypeInfo {
  readonly name: NiftiDatatype;
  readonly code: number;
  readonly array: VoxelArrayConstructor;
  /** Reads one value from a DataView (for the byte order of the file). */
  readonly read: (view: DataView, offset: number, littleEndian: boolean) => number;
}

const DATATYPES: readonly DatatypeInfo[] = [
  { name: 'uint8', code: 2, array: Uint8Array, read: (v, o) => v.getUint8(o) },
  { name: 'int16', code: 4, array: Int16Array, read: (v, o, le) => v.getInt16(o, le) },
  { name: 'int32', code: 8, array: Int32Array, read: (v, o, le) => v.getInt32(o, le) },
  { name: 'float32', code: 16, array: Float32Array, read: (v, o, le) => v.getFloat32(o, le) },
  { name: 'float64', code: 64, array: Float64Array, read: (v, o, le) => v.getFloat64(o, le) },
  { name: 'int8', code: 256, array: Int8Array, read: (v, o) => v.getInt8(o) },
  { name: 'uint16', code: 512, array: Uint16Array, read: (v, o, le) => v.getUint16(o, le) },
  { name: 'uint32', code: 768, array: Uint32Array, read: (v, o, le) => v.getUint32(o, le) },
];

/** The datatype with a NIfTI code (16 is float32), or undefined when this package does not read it. */
export function datatypeByCode(code: number): DatatypeInfo | undefined {
  if (typeof code !== 'number') throw new InvalidArgumentError(`code: expected a NIfTI datatype code (a number); received ${describeValue(code)}`);
  return DATATYPES.find((d) => d.code === code);
}

/** The datatype with a name (float64 has code 64); a name this package does not read is refused. */
export function datatypeByName(name: NiftiDatatype): DatatypeInfo {
  const found = DATATYPES.find((d) => d.name === name);
  if (found === undefined) throw new InvalidArgumentError(`name: expected ${DATATYPES.map((d) => d.name).join(', ')}; received ${describeValue(name)}`);
  return found;
}

/** Whether this platform stores typed arrays little-endian (as NIfTI files written here are). */
export const PLATFORM_LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;
