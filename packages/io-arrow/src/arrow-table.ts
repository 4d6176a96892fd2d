import { DataType, Field, Float64, RecordBatch, RecordBatchFileWriter, Schema, Struct, Utf8, Vector, makeData, tableFromIPC, Table as ArrowTable, vectorFromArray, type Data } from 'apache-arrow';
import { checkBytes, checkOptionalString, checkOptions } from '@combat/base/internal';
import { checkReplaced, checkTable } from './arguments.js';
import { checkColumnData, isFlatType } from './arrow-data.js';
import { checkIpcLayout } from './arrow-layout.js';
import { registerCompressionCodecs } from './codecs.js';
import { TableFormatError } from './errors.js';
import { DEFAULT_SOURCE, checkColumnNames, parseNumber, type Column, type Table } from './table.js';

/**
 * A column read from Arrow keeps its vector, so a table written back keeps the column's type.
 *
 * @example
 * ```ts
 * const arrow = decodeArrowTable(encodeArrowTable(table, new Map()), { source: 'data.arrow' });
 * String((arrow.columns.get('age') as ArrowColumn).vector.type); // 'Float64'
 * String((arrow.columns.get('subject') as ArrowColumn).vector.type); // 'Utf8'
 * ```
 */
export interface ArrowColumn extends Column {
  readonly vector: Vector;
}

/**
 * Reads an Arrow IPC file or stream, or a Feather v2 file, uncompressed or with LZ4 or ZSTD
 * buffers. Integer and floating-point columns are numeric (64-bit integers converted to float64)
 * unless a value is infinite; NaN and nulls are missing; other flat columns (text, booleans,
 * dates, dictionaries of those) become text. Numeric columns make their text cells on first use.
 *
 * The file is checked before anything is made from it: its frame and metadata, then every
 * column's buffers against the length it claims (see `arrow-layout.ts` and `arrow-data.ts`).
 * Nested columns (lists, structs, maps, unions), duplicate or empty column names, and claims the
 * bytes cannot back are a {@link TableFormatError} naming the file and the column.
 * `options.source` names the bytes in messages and becomes the table's `source` (default
 * `'table'`).
 *
 * @throws {@link TableFormatError} when the bytes are not an Arrow IPC file or stream this reader
 * can make a table of.
 * @throws {@link InvalidArgumentError} when `bytes` is not a Uint8Array or `options.source` not a string.
 * @example
 * ```ts
 * const arrow = decodeArrowTable(encodeArrowTable(table, new Map()), { source: 'data.arrow' });
 * [arrow.source, arrow.rows, arrow.names.length]; // ['data.arrow', 8, 7]
 * decodeArrowTable(new TextEncoder().encode('subject,site\n'), { source: 'data.arrow' });
 * // throws TableFormatError: data.arrow: not a readable Arrow IPC file or stream
 * ```
 */
export function decodeArrowTable(bytes: Uint8Array, options: { source?: string } = {}): Table {
  checkBytes(bytes, 'decodeArrowTable: bytes');
  const source = checkOptionalString(checkOptions(options, 'decodeArrowTable: options').source, 'decodeArrowTable: options.source') ?? DEFAULT_SOURCE;
  const fail = (detail: string): never => {
    throw new TableFormatError(`${source}: ${detail}`);
  };
  registerCompressionCodecs();
  const names = checkIpcLayout(bytes, source);
  checkColumnNames(names, source);
  let arrow: ArrowTable;
  try {
    arrow = tableFromIPC(bytes);
  } catch (error) {
    return fail(`not a readable Arrow IPC file or stream: ${error instanceof Error ? error.message : String(error)}`);
  }
  checkFields(arrow.schema.fields, fail);
  const vectors = arrow.schema.fields.map((field, k) => {
    const vector = arrow.getChildAt(k) as Vector;
    const checked = new Set<Vector>();
    vector.data.forEach((chunk, b) => checkColumnData(chunk, `column "${field.name}" in record batch ${b + 1}`, fail, checked));
    return vector;
  });
  checkNullRows(arrow.schema.fields, arrow.numRows, bytes.length, fail);
  const columns = new Map<string, Column>(names.map((name, k) => [name, arrowColumn(name, vectors[k] as Vector)]));
  return { source, names, rows: arrow.numRows, columns };
}

/** A schema a table can be made of: some columns, each of a flat type. */
export function checkFields(fields: readonly Field[], fail: (detail: string) => never): void {
  if (fields.length === 0) fail('no columns; expected a table with a schema');
  for (const field of fields) {
    if (!isFlatType(field.type)) fail(`column "${field.name}" holds ${field.type} values; a table column holds one number, text, boolean, date or time per row`);
  }
}

/** A column of nulls stores nothing per row: allow no more rows than a bit per byte of the file. */
export function checkNullRows(fields: readonly Field[], rows: number, bytes: number, fail: (detail: string) => never): void {
  if (fields.every((field) => DataType.isNull(field.type)) && rows > 8 * bytes) fail(`${rows} rows of nothing but nulls in ${bytes} bytes`);
}

/** A column read from Arrow: numbers for numeric types, text cells made now or, for numbers and nulls, on first use. */
export function arrowColumn(name: string, vector: Vector): ArrowColumn {
  const numeric = DataType.isInt(vector.type) || DataType.isFloat(vector.type);
  if (!numeric && !DataType.isNull(vector.type)) return { name, cells: textCells(vector), numbers: null, vector };
  let cells: (string | null)[] | undefined;
  return {
    name,
    numbers: numeric ? finiteNumbers(vector) : null,
    vector,
    get cells() {
      return (cells ??= textCells(vector));
    },
  };
}

/** The values as float64 (NaN where null or NaN), or null when one is infinite. */
function finiteNumbers(vector: Vector): Float64Array | null {
  const numbers = new Float64Array(vector.length);
  let row = 0;
  for (const value of vector) {
    const x = value === null || value === undefined ? NaN : Number(value);
    if (x === Infinity || x === -Infinity) return null;
    numbers[row++] = x;
  }
  return numbers;
}

/** Every value as text (null where null, or NaN); a dictionary's values are made into text once, not once per row. */
function textCells(vector: Vector): (string | null)[] {
  const text = (value: unknown): string | null => (value === null || value === undefined || (typeof value === 'number' && Number.isNaN(value)) ? null : String(value));
  const cells: (string | null)[] = [];
  const dictionaries = new Map<Vector, (string | null)[]>();
  for (const data of vector.data) {
    if (!DataType.isDictionary(data.type)) {
      for (const value of new Vector([data])) cells.push(text(value));
      continue;
    }
    const source = data.dictionary as Vector;
    const dictionary = dictionaries.get(source) ?? Array.from(source, text);
    dictionaries.set(source, dictionary);
    const indices = data.values as ArrayLike<number | bigint>;
    for (let row = data.offset; row < data.offset + data.length; row++) cells.push(data.getValid(row - data.offset) ? (dictionary[Number(indices[row])] ?? null) : null);
  }
  return cells;
}

/** Whether writing a text cell as its float64 number would lose what it says: `0001`, `9007199254740993`. */
function losesText(cell: string, value: number): boolean {
  return /^\s*[+-]?0\d/.test(cell) || (Math.abs(value) > Number.MAX_SAFE_INTEGER && /^\s*[+-]?\d+\s*$/.test(cell));
}

/**
 * Encodes a table as an Arrow IPC file (readable as Feather v2): every column in order; replaced
 * columns as float64 (NaN as null); columns read from Arrow with their own type; numeric columns
 * read from text as float64, unless a cell's number would lose what the text says (a leading zero
 * as in the id `0001`, a whole number beyond 2^53): those, and text columns, as UTF-8, exactly as
 * read; missing cells as nulls.
 *
 * @throws {@link InvalidArgumentError} when `table` is not a table, or a replaced column is not a
 * Float64Array of one value per row.
 * @example
 * ```ts
 * const bytes = encodeArrowTable(table, new Map([['lh_x', new Float64Array(8).fill(2.5)]]));
 * const arrow = decodeArrowTable(bytes, { source: 'harmonized.arrow' });
 * arrow.columns.get('lh_x')?.numbers?.[0]; // 2.5
 * arrow.columns.get('subject')?.cells[0]; // 'sub-001'
 * ```
 */
export function encodeArrowTable(table: Table, replaced: ReadonlyMap<string, Float64Array>): Uint8Array {
  checkTable(table, 'encodeArrowTable: table');
  checkReplaced(replaced, table.rows, 'encodeArrowTable');
  const vectors = arrowVectors(table, replaced, (column) => textColumnType(column));
  const schema = arrowSchema(table.names, vectors);
  const writer = new RecordBatchFileWriter();
  writer.reset(undefined, schema);
  for (const batch of arrowBatches(schema, vectors)) writer.write(batch);
  return writer.finish().toUint8Array(true);
}

/** The first row whose cell keeps a column read from text from being float64: not a number, or a number that loses its text (-1: none). */
export function firstTextCell(column: Column): number {
  return column.cells.findIndex((cell) => {
    if (cell === null) return false;
    const value = parseNumber(cell);
    return !Number.isFinite(value) || losesText(cell, value);
  });
}

/** The Arrow type a column read from text is written with: float64 when every cell is a number that says what its text says. */
export function textColumnType(column: Column): 'float64' | 'utf8' {
  return column.numbers !== null && !column.cells.some((cell, row) => cell !== null && losesText(cell, column.numbers?.[row] as number)) ? 'float64' : 'utf8';
}

/**
 * The vectors {@link encodeArrowTable} writes for a table's columns: replaced columns as float64
 * (NaN as null), columns read from Arrow as they are, columns read from text as `type` says
 * (missing cells as nulls).
 */
export function arrowVectors(table: Table, replaced: ReadonlyMap<string, Float64Array>, type: (column: Column, name: string) => 'float64' | 'utf8'): Record<string, Vector> {
  const vectors: Record<string, Vector> = {};
  for (const name of table.names) {
    const numbers = replaced.get(name);
    const column = table.columns.get(name) as Column | ArrowColumn;
    if (numbers !== undefined) vectors[name] = vectorFromArray(Array.from(numbers, (x) => (Number.isNaN(x) ? null : x)), new Float64());
    else if ('vector' in column) vectors[name] = column.vector;
    else if (type(column, name) === 'float64') vectors[name] = vectorFromArray(Array.from(column.numbers as Float64Array, (x) => (Number.isNaN(x) ? null : x)), new Float64());
    else vectors[name] = vectorFromArray([...column.cells], new Utf8());
  }
  return vectors;
}

/**
 * The schema of written tables: each column of its vector's type, and nullable, so that the chunks
 * of one table, with nulls or without, have one schema.
 */
export function arrowSchema(names: readonly string[], vectors: Readonly<Record<string, Vector>>): Schema {
  return new Schema(names.map((name) => new Field(name, (vectors[name] as Vector).type, true)));
}

/**
 * The record batches of vectors with that schema: a batch wherever a vector's chunks end (what
 * apache-arrow's `Table` makes of them), none when there are no rows. Made without apache-arrow's
 * `RecordBatch` constructor, which matches every field of the schema against every other (its
 * `Schema.assign`): a table of 20,000 columns took seconds a batch.
 */
export function arrowBatches(schema: Schema, vectors: Readonly<Record<string, Vector>>): RecordBatch[] {
  const columns = schema.fields.map((field) => (vectors[field.name] as Vector).data);
  const ends = new Set<number>();
  for (const chunks of columns) {
    let at = 0;
    for (const data of chunks) ends.add((at += data.length));
  }
  const batches: RecordBatch[] = [];
  const next = columns.map(() => ({ chunk: 0, start: 0 }));
  let from = 0;
  for (const end of [...ends].sort((a, b) => a - b)) {
    if (end === from) continue;
    const children = columns.map((chunks, k): Data => {
      const at = next[k] as { chunk: number; start: number };
      while (at.start + (chunks[at.chunk] as Data).length <= from) at.start += (chunks[at.chunk++] as Data).length;
      const data = chunks[at.chunk] as Data;
      return from === at.start && end === at.start + data.length ? data : data.slice(from - at.start, end - from);
    });
    const batch = Object.create(RecordBatch.prototype) as RecordBatch;
    Object.assign(batch, { schema, data: makeData({ type: new Struct(schema.fields), length: end - from, nullCount: 0, children }), _metadata: new Map() });
    batches.push(batch);
    from = end;
  }
  return batches;
}
