import { InvalidArgumentError } from '@combat/core';
/**
 * Checks of the arguments of the public table functions, done once at the boundary so that a
 * careless call gets an {@link InvalidArgumentError} naming the function and the argument rather
 * than a TypeError from deep inside.
 */
import type { Column, Table } from './table.js';

/**
 * A value as a message shows it: `undefined`, `null`, `a number (5)`, `a string ("x")`,
 * `an array of 3`, `an Int32Array`, `an object`.
 *
 * @example
 * ```ts
 * describeValue(undefined); // 'undefined'
 * describeValue(5); // 'a number (5)'
 * ```
 */
export function describeValue(value: unknown): string {
  if (value === undefined || value === null) return String(value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'string') return `a string (${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)})`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return `a ${typeof value} (${String(value)})`;
  const kind = ArrayBuffer.isView(value) ? value.constructor.name : typeof value;
  return `${/^[aeiouAEIOU]/.test(kind) ? 'an' : 'a'} ${kind}`;
}

/**
 * Throws an {@link InvalidArgumentError}: `<what> must be <expected>; received <value>`.
 *
 * @example
 * ```ts
 * if (typeof text !== 'string') refuse('parseDelimited: text', 'a string', text);
 * ```
 */
export function refuse(what: string, expected: string, value: unknown): never {
  throw new InvalidArgumentError(`${what} must be ${expected}; received ${describeValue(value)}`);
}

/**
 * The value when it is a string, else an {@link InvalidArgumentError}.
 *
 * @example
 * ```ts
 * const source = checkString(options.source, 'parseDelimited: options.source');
 * ```
 */
export function checkString(value: unknown, what: string): string {
  return typeof value === 'string' ? value : refuse(what, 'a string', value);
}

/**
 * The value when it is undefined or a string, else an {@link InvalidArgumentError}.
 *
 * @example
 * ```ts
 * const idColumn = checkOptionalString(options.idColumn, 'tableMatrix: options.idColumn');
 * ```
 */
export function checkOptionalString(value: unknown, what: string): string | undefined {
  return value === undefined ? undefined : checkString(value, what);
}

/**
 * The value when it is an array of strings, else an {@link InvalidArgumentError} naming the first
 * entry that is not.
 *
 * @example
 * ```ts
 * const features = checkStrings(features, 'tableMatrix: features');
 * ```
 */
export function checkStrings(value: unknown, what: string): readonly string[] {
  if (!Array.isArray(value)) return refuse(what, 'an array of strings', value);
  value.forEach((entry, k) => checkString(entry, `${what}[${k}]`));
  return value as readonly string[];
}

/**
 * The value when it is an object (not null, not an array), else an {@link InvalidArgumentError};
 * undefined gives `{}` when `optional`.
 *
 * @example
 * ```ts
 * const { idColumn } = checkObject(options, 'tableMatrix: options', true);
 * ```
 */
export function checkObject(value: unknown, what: string, optional = false): Readonly<Record<string, unknown>> {
  if (value === undefined && optional) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return refuse(what, 'an object', value);
  return value as Readonly<Record<string, unknown>>;
}

/**
 * The value when it is a Uint8Array (a Node Buffer is one), else an {@link InvalidArgumentError}.
 *
 * @example
 * ```ts
 * checkBytes(bytes, 'decodeArrowTable: bytes');
 * ```
 */
export function checkBytes(value: unknown, what: string): Uint8Array {
  return value instanceof Uint8Array ? value : refuse(what, 'a Uint8Array', value);
}

/**
 * The value when it has the shape of a {@link Table} (a source, names, a map of as many columns,
 * a row count), else an {@link InvalidArgumentError}. Constant time: it runs on every call.
 *
 * @example
 * ```ts
 * checkTable(table, 'tableMatrix: table');
 * ```
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
 * numbers that are null or one per row), else an {@link InvalidArgumentError}. Its cells are not
 * read here: an Arrow column makes them on first use.
 *
 * @example
 * ```ts
 * checkColumn(column, table.rows, 'numericValues: column');
 * ```
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
