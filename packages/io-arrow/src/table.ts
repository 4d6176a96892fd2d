import { TableFormatError } from './errors.js';

/**
 * One column of a table. `cells` holds every value as text (null where missing: an empty cell,
 * `NA`, `NaN`, or an Arrow null); `raw` holds CSV cells exactly as written, so columns that are not
 * changed are written back unchanged; `numbers` holds the values as float64 (NaN where missing)
 * when every present cell is a number, else null.
 *
 * @example
 * ```ts
 * const age = table.columns.get('age');
 * age?.numbers?.[0]; // 61
 * ```
 */
export interface Column {
  readonly name: string;
  readonly cells: readonly (string | null)[];
  readonly raw?: readonly string[];
  readonly numbers: Float64Array | null;
}

/**
 * A table by column, with where it came from for messages.
 *
 * @example
 * ```ts
 * const table: Table = tableFromColumns('inline', { site: ['A', 'B'], age: ['61', '47'] });
 * ```
 */
export interface Table {
  readonly source: string;
  readonly names: readonly string[];
  readonly columns: ReadonlyMap<string, Column>;
  readonly rows: number;
}

const MISSING = new Set(['', 'NA', 'NaN', 'nan', 'N/A']);

/**
 * Whether a text cell means "missing": empty, `NA`, `NaN` (also `nan`, `N/A`).
 *
 * @example
 * ```ts
 * isMissing('NA'); // true
 * ```
 */
export function isMissing(text: string): boolean {
  return MISSING.has(text.trim());
}

/**
 * Builds a column from text cells (CSV): missing markers become null, and the column is numeric
 * when every other cell parses as a finite number.
 *
 * @example
 * ```ts
 * columnFromText('age', ['61', 'NA', '47']).numbers; // Float64Array [61, NaN, 47]
 * ```
 */
export function columnFromText(name: string, raw: readonly string[]): Column {
  const cells = raw.map((text) => (isMissing(text) ? null : text));
  return { name, cells, raw, numbers: toNumbers(cells) };
}

/**
 * A table from columns of text (as a CSV reader gives them).
 *
 * @example
 * ```ts
 * tableFromColumns('inline', { site: ['A', 'B'], age: ['61', '47'] }).rows; // 2
 * ```
 */
export function tableFromColumns(source: string, columns: Readonly<Record<string, readonly string[]>>): Table {
  const names = Object.keys(columns);
  const rows = names.length === 0 ? 0 : (columns[names[0]] as readonly string[]).length;
  return { source, names, rows, columns: new Map(names.map((name) => [name, columnFromText(name, columns[name] as readonly string[])])) };
}

/**
 * The column with a name, or a {@link TableFormatError} that lists the columns that exist.
 *
 * @example
 * ```ts
 * const site = requireColumn(table, 'site', 'batch column');
 * ```
 */
export function requireColumn(table: Table, name: string, role = 'column'): Column {
  const column = table.columns.get(name);
  if (column === undefined) {
    throw new TableFormatError(`${table.source}: ${role} "${name}" not found; columns are ${table.names.join(', ')}`);
  }
  return column;
}

/**
 * The column's values as float64, or a {@link TableFormatError} naming the first cell (row and
 * column; row 1 is the first data row) that is not a number.
 *
 * @example
 * ```ts
 * const age = numericValues(table, requireColumn(table, 'age'));
 * ```
 */
export function numericValues(table: Table, column: Column): Float64Array {
  if (column.numbers !== null) return column.numbers;
  const row = column.cells.findIndex((cell) => cell !== null && !Number.isFinite(Number(cell)));
  throw new TableFormatError(`${table.source}: row ${row + 1}, column "${column.name}": ${JSON.stringify(column.cells[row])} is not a number`);
}

function toNumbers(cells: readonly (string | null)[]): Float64Array | null {
  const numbers = new Float64Array(cells.length);
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i];
    if (cell === null || cell === undefined) {
      numbers[i] = NaN;
      continue;
    }
    const value = Number(cell);
    if (cell.trim() === '' || !Number.isFinite(value)) return null;
    numbers[i] = value;
  }
  return numbers;
}

/**
 * The rows `order` of a table, in that order (for pairing a covariates table with a data table).
 *
 * @example
 * ```ts
 * selectRows(table, [2, 0]).rows; // 2
 * ```
 */
export function selectRows(table: Table, order: readonly number[]): Table {
  const pick = <T>(values: readonly T[]): T[] => order.map((row) => values[row] as T);
  const columns = new Map<string, Column>();
  for (const [name, column] of table.columns) {
    const numbers = column.numbers === null ? null : Float64Array.from(order, (row) => (column.numbers as Float64Array)[row] as number);
    columns.set(name, { name, cells: pick(column.cells), numbers, ...(column.raw === undefined ? {} : { raw: pick(column.raw) }) });
  }
  return { source: table.source, names: table.names, rows: order.length, columns };
}
