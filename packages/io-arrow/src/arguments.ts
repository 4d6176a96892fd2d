/**
 * Checks of the table arguments of the public functions, done once at the boundary so that a
 * careless call gets an InvalidArgumentError naming the function and the argument rather than a
 * TypeError from deep inside. The checks of plain values (strings, objects, bytes) are
 * `@combat/base/internal`'s, with the same message form.
 */
import { refuseArgument } from '@combat/base/internal';
import type { Column, Table } from './table.js';

/**
 * The value when it has the shape of a {@link Table} (a source, names, a map of as many columns,
 * a row count, and a first row when it is a chunk), else an InvalidArgumentError. Constant time: it runs on every call.
 */
export function checkTable(value: unknown, what: string): Table {
  const table = value as Partial<Table> | null | undefined;
  const valid =
    typeof table === 'object' &&
    table !== null &&
    typeof table.source === 'string' &&
    Array.isArray(table.names) &&
    table.columns instanceof Map &&
    table.names.length === table.columns.size &&
    Number.isSafeInteger(table.rows) &&
    (table.rows as number) >= 0 &&
    (table.firstRow === undefined || (Number.isSafeInteger(table.firstRow) && table.firstRow >= 0));
  return valid ? (table as Table) : refuseArgument(what, 'a table (from readTable, parseDelimited, decodeArrowTable or tableFromColumns)', value);
}

/**
 * The value when it has the shape of a {@link Column} of a table of `rows` rows (a name, and
 * numbers that are null or one per row), else an InvalidArgumentError. Its cells are not read
 * here: an Arrow column makes them on first use.
 */
export function checkColumn(value: unknown, rows: number, what: string): Column {
  const column = value as Partial<Column> | null | undefined;
  const valid =
    typeof column === 'object' &&
    column !== null &&
    typeof column.name === 'string' &&
    (column.numbers === null || (column.numbers instanceof Float64Array && column.numbers.length === rows));
  return valid ? (column as Column) : refuseArgument(what, `a column of the table (${rows} rows)`, value);
}

/** The values of a `replaced` argument: a Map of column name to a Float64Array of one value per row. */
export function checkReplaced(value: unknown, rows: number, fn: string): ReadonlyMap<string, Float64Array> {
  if (!(value instanceof Map)) return refuseArgument(`${fn}: replaced`, 'a Map of column name to Float64Array', value);
  for (const [name, numbers] of value) {
    if (!(numbers instanceof Float64Array) || numbers.length !== rows) refuseArgument(`${fn}: replaced.get(${JSON.stringify(name)})`, `a Float64Array of ${rows} values`, numbers);
  }
  return value as ReadonlyMap<string, Float64Array>;
}

/** A row index of the table, else an InvalidArgumentError saying which rows there are. */
export function checkRowIndex(value: unknown, table: Table, what: string): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value < table.rows) return value;
  return refuseArgument(what, table.rows === 0 ? `a row index, but ${table.source} has no rows` : `a row index of ${table.source} (0 to ${table.rows - 1})`, value);
}

