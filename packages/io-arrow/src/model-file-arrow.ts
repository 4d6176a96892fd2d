/**
 * The Arrow side of reading a model file (and a statistics file): the columns a model file of a
 * layout has and their types, and the bytes read into metadata text and plain columns in one step,
 * so that whatever apache-arrow throws on a malformed file becomes the file's error.
 */
import { CombatError } from '@combat/base';
import { DataType, Precision, tableFromIPC, type Vector } from 'apache-arrow';
import { checkIpcLayout } from './arrow-layout.js';
import { registerCompressionCodecs } from './codecs.js';
import { TableFormatError } from './errors.js';
import type { Fail } from './model-file-checks.js';

/** Schema metadata key of the JSON part. */
export const METADATA_KEY = 'combat';

/** The per-batch float64 arrays: one column `<name>[<batch>]` per batch each. */
export const PER_BATCH = ['gammaStar', 'deltaStar', 'gammaHat', 'deltaHat'] as const;

/** A column type the model file uses: a test on Arrow's type, and a copy of the values. */
export interface ColumnType {
  readonly name: string;
  is(type: DataType): boolean;
  copy(values: ArrayLike<unknown>): unknown;
}

export const FLOAT64: ColumnType = { name: 'Float64', is: (t) => DataType.isFloat(t) && t.precision === Precision.DOUBLE, copy: (v) => Float64Array.from(v as ArrayLike<number>) };
export const UINT8: ColumnType = { name: 'Uint8', is: (t) => DataType.isInt(t) && t.bitWidth === 8 && !t.isSigned, copy: (v) => Uint8Array.from(v as ArrayLike<number>) };
export const INT32: ColumnType = { name: 'Int32', is: (t) => DataType.isInt(t) && t.bitWidth === 32 && t.isSigned, copy: (v) => Int32Array.from(v as ArrayLike<number>) };
export const UTF8: ColumnType = { name: 'Utf8', is: (t) => DataType.isUtf8(t), copy: (v) => Array.from(v as ArrayLike<string>) };

/**
 * What decides the columns of a model file: the design columns with a `beta[<column>]` column, the
 * batches with their `<name>[<batch>]` columns, whether each batch has its own `adjusted[<batch>]`
 * flags (format versions 2 and 3), whether the model is a volume model (a `voxel` column), and
 * the number of CovBat components (format version 3: `covbatCenter`, `covbatScale` and a
 * `covbatLoading[<k>]` column per component, k from 1; 0 without CovBat).
 */
export interface ColumnLayout {
  readonly beta: readonly string[];
  readonly batches: readonly string[];
  readonly batchFlags: boolean;
  readonly volume: boolean;
  readonly covbat: number;
}

/** Every column a model file of this layout has, with its type, in the order version 2 is written. */
export function expectedColumns(layout: ColumnLayout): Map<string, ColumnType> {
  const columns = new Map<string, ColumnType>([['feature', UTF8]]);
  if (layout.volume) columns.set('voxel', INT32);
  columns.set('adjusted', UINT8).set('varPooled', FLOAT64).set('grandMean', FLOAT64);
  for (const column of layout.beta) columns.set(`beta[${column}]`, FLOAT64);
  for (const batch of layout.batches) {
    for (const name of PER_BATCH) columns.set(`${name}[${batch}]`, FLOAT64);
    if (layout.batchFlags) columns.set(`adjusted[${batch}]`, UINT8);
  }
  if (layout.covbat > 0) columns.set('covbatCenter', FLOAT64).set('covbatScale', FLOAT64);
  for (let k = 1; k <= layout.covbat; k++) columns.set(`covbatLoading[${k}]`, FLOAT64);
  return columns;
}

/** A column as read: its Arrow type, its number of nulls and its values. */
export interface RawColumn {
  readonly type: DataType;
  readonly nullCount: number;
  readonly values: ArrayLike<unknown>;
}

/**
 * The metadata text, row count and every column's type, null count and values, read in one step
 * so that whatever apache-arrow throws on a malformed file goes to `fail` (the bytes have been
 * verified against their checksum first).
 */
export function readArrow(bytes: Uint8Array, fail: Fail): { metadata: string | undefined; rows: number; columns: Map<string, RawColumn> } {
  registerCompressionCodecs();
  try {
    // apache-arrow can loop forever on a footer that lies about its record batches: check first.
    checkIpcLayout(bytes, 'file');
    const table = tableFromIPC(bytes);
    const columns = new Map<string, RawColumn>();
    for (const field of table.schema.fields) {
      if (columns.has(field.name)) fail(`column ${JSON.stringify(field.name)} appears twice`);
      const vector = table.getChild(field.name) as Vector;
      columns.set(field.name, { type: field.type, nullCount: vector.nullCount, values: vector.toArray() as ArrayLike<unknown> });
    }
    return { metadata: table.schema.metadata.get(METADATA_KEY), rows: table.numRows, columns };
  } catch (error) {
    if (error instanceof TableFormatError) return fail(error.detail.replace(/^file: /, ''));
    if (error instanceof CombatError) throw error;
    return fail(`not a readable Arrow IPC file: ${(error as Error).message}`);
  }
}

/**
 * A reader of the columns of a model file: the values of a column, copied, once it is checked to
 * be present, of its expected type and without nulls.
 */
export function columnReader(columns: ReadonlyMap<string, RawColumn>, expected: ReadonlyMap<string, ColumnType>, fail: Fail): <T>(name: string) => T {
  return <T>(name: string): T => {
    const column = columns.get(name);
    if (column === undefined) return fail(`column ${JSON.stringify(name)} is missing`);
    const type = expected.get(name) as ColumnType;
    if (!type.is(column.type)) fail(`column ${JSON.stringify(name)} has type ${column.type}; expected ${type.name}`);
    if (column.nullCount > 0) fail(`column ${JSON.stringify(name)} has ${column.nullCount} null cell(s); expected a value in every row`);
    return type.copy(column.values) as T;
  };
}
