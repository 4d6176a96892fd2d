import { DataType, Float64, Utf8, makeVector, tableFromIPC, tableToIPC, Table as ArrowTable, vectorFromArray, type Vector } from 'apache-arrow';
import { registerCompressionCodecs } from './codecs.js';
import { TableFormatError } from './errors.js';
import type { Column, Table } from './table.js';

/**
 * A column read from Arrow keeps its vector, so a table written back keeps the column's type.
 *
 * @example
 * ```ts
 * const vector = (table.columns.get('age') as ArrowColumn).vector;
 * ```
 */
export interface ArrowColumn extends Column {
  readonly vector: Vector;
}

/**
 * Reads an Arrow IPC file or stream, or a Feather v2 file, uncompressed or with LZ4 or ZSTD
 * buffers. Integer and floating-point columns are numeric (64-bit integers converted to float64);
 * other columns become text; nulls are missing.
 *
 * @example
 * ```ts
 * const table = decodeArrowTable(new Uint8Array(await file.arrayBuffer()), 'regions.feather');
 * ```
 */
export function decodeArrowTable(bytes: Uint8Array, source: string): Table {
  registerCompressionCodecs();
  let arrow: ArrowTable;
  try {
    arrow = tableFromIPC(bytes);
  } catch (error) {
    throw new TableFormatError(`${source}: not a readable Arrow IPC file or stream: ${(error as Error).message}`);
  }
  if (arrow.schema.fields.length === 0) throw new TableFormatError(`${source}: no columns; expected a table with a schema`);
  const names = arrow.schema.fields.map((field) => field.name);
  const columns = new Map<string, Column>();
  for (const field of arrow.schema.fields) {
    const vector = arrow.getChild(field.name) as Vector;
    const numeric = DataType.isInt(field.type) || DataType.isFloat(field.type);
    const cells: (string | null)[] = [];
    const numbers = numeric ? new Float64Array(arrow.numRows) : null;
    for (let row = 0; row < arrow.numRows; row++) {
      const value: unknown = vector.get(row);
      cells.push(value === null || value === undefined ? null : String(value));
      if (numbers !== null) numbers[row] = value === null || value === undefined ? NaN : Number(value);
    }
    const column: ArrowColumn = { name: field.name, cells, numbers, vector };
    columns.set(field.name, column);
  }
  return { source, names, rows: arrow.numRows, columns };
}

/**
 * Encodes a table as an Arrow IPC file (readable as Feather v2): every column in order; replaced
 * columns as float64; columns read from Arrow with their own type; other columns as float64 when
 * numeric, else UTF-8, missing cells as nulls.
 *
 * @example
 * ```ts
 * const bytes = encodeArrowTable(table, new Map([['f000', harmonizedColumn]]));
 * ```
 */
export function encodeArrowTable(table: Table, replaced: ReadonlyMap<string, Float64Array>): Uint8Array {
  const vectors: Record<string, Vector> = {};
  for (const name of table.names) {
    const numbers = replaced.get(name);
    const column = table.columns.get(name) as Column | ArrowColumn;
    if (numbers !== undefined) vectors[name] = makeVector(numbers);
    else if ('vector' in column) vectors[name] = column.vector;
    else if (column.numbers !== null) vectors[name] = vectorFromArray(Array.from(column.numbers, (x) => (Number.isNaN(x) ? null : x)), new Float64());
    else vectors[name] = vectorFromArray([...column.cells], new Utf8());
  }
  return tableToIPC(new ArrowTable(vectors), 'file');
}
