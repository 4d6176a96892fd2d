/**
 * Checks of the arguments of the public table functions, done once at the boundary so that a
 * careless call gets an InvalidArgumentError naming the function and the argument rather than a
 * TypeError from deep inside.
 */
import { InvalidArgumentError } from '@combat/base';
import { describeValue } from '@combat/base/internal';
import type { Column, Table } from './table.js';

/** Throws an InvalidArgumentError: `<what> must be <expected>; received <value>`. */
export function refuse(what: string, expected: string, value: unknown): never {
  throw new InvalidArgumentError(`${what} must be ${expected}; received ${describeValue(value)}`);
}

/** The value when it is a string, else an InvalidArgumentError. */
export function checkString(value: unknown, what: string): string {
  return typeof value === 'string' ? value : refuse(what, 'a string', value);
}

/** The value when it is undefined or a string, else an InvalidArgumentError. */
export function checkOptionalString(value: unknown, what: string): string | undefined {
  return value === undefined ? undefined : checkString(value, what);
}

/** The value when it is an array of strings, else an InvalidArgumentError naming the first entry that is not. */
export function checkStrings(value: unknown, what: string): readonly string[] {
  if (!Array.isArray(value)) return refuse(what, 'an array of strings', value);
  value.forEach((entry, k) => checkString(entry, `${what}[${k}]`));
  return value as readonly string[];
}

/**
 * The value when it is an object (not null, not an array), else an InvalidArgumentError;
 * undefined gives `{}` when `optional`.
 */
export function checkObject(value: unknown, what: string, optional = false): Readonly<Record<string, unknown>> {
  if (value === undefined && optional) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return refuse(what, 'an object', value);
  return value as Readonly<Record<string, unknown>>;
}

/** The value when it is a Uint8Array (a Node Buffer is one), else an InvalidArgumentError. */
export function checkBytes(value: unknown, what: string): Uint8Array {
  return value instanceof Uint8Array ? value : refuse(what, 'a Uint8Array', value);
}

/**
 * The value when it has the shape of a {@link Table} (a source, names, a map of as many columns,
 * a row count), else an InvalidArgumentError. Constant time: it runs on every call.
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
    (table.rows as number) >= 0;
  return valid ? (table as Table) : refuse(what, 'a table (from readTable, parseDelimited, decodeArrowTable or tableFromColumns)', value);
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
  return valid ? (column as Column) : refuse(what, `a column of the table (${rows} rows)`, value);
}

/** The values of a `replaced` argument: a Map of column name to a Float64Array of one value per row. */
export function checkReplaced(value: unknown, rows: number, fn: string): ReadonlyMap<string, Float64Array> {
  if (!(value instanceof Map)) return refuse(`${fn}: replaced`, 'a Map of column name to Float64Array', value);
  for (const [name, numbers] of value) {
    if (!(numbers instanceof Float64Array) || numbers.length !== rows) refuse(`${fn}: replaced.get(${JSON.stringify(name)})`, `a Float64Array of ${rows} values`, numbers);
  }
  return value as ReadonlyMap<string, Float64Array>;
}
