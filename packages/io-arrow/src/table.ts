import { ShapeMismatchError } from '@combat/core';
import { checkObject, checkOptionalString, checkOptions, checkString, checkStrings, refuseArgument } from '@combat/base/internal';
import { checkColumn, checkRowIndex, checkTable } from './arguments.js';
import { TableFormatError } from './errors.js';

/**
 * One column of a table. `cells` holds every value as text (null where missing: an empty cell,
 * `NA`, `NaN`, or an Arrow null); `raw` holds CSV cells exactly as written, so columns that are not
 * changed are written back unchanged; `numbers` holds the values as float64 (NaN where missing)
 * when every present cell is a finite number, else null.
 *
 * @example
 * ```ts
 * const age = requireColumn(table, 'age');
 * age.numbers?.[0]; // 61
 * table.columns.get('lh_y')?.cells[2]; // null
 * table.columns.get('lh_y')?.raw?.[2]; // 'NA'
 * ```
 */
export interface Column {
  readonly name: string;
  readonly cells: readonly (string | null)[];
  readonly raw?: readonly string[];
  readonly numbers: Float64Array | null;
}

/**
 * A table by column: its `source` (the file it was read from, or a name, for messages), its
 * column names in order, its columns by name, and its number of rows (the header not counted). A
 * chunk of a larger table (see `openTable` of `@combat/io-arrow/node`) also says where its rows
 * lie in its source: `firstRow` is the 0-based index of its first row there (absent: 0), so that
 * messages name the rows of the file.
 *
 * @example
 * ```ts
 * const small: Table = tableFromColumns({ site: ['A', 'B'], age: ['61', '47'] }, { source: 'inline' });
 * [small.source, small.names, small.rows]; // ['inline', ['site', 'age'], 2]
 * describeRow({ ...small, firstRow: 1000 }, 0); // 'row 1001'
 * ```
 */
export interface Table {
  readonly source: string;
  readonly names: readonly string[];
  readonly columns: ReadonlyMap<string, Column>;
  readonly rows: number;
  readonly firstRow?: number;
}

/** The `source` of a table made from text, bytes or columns given without one. */
export const DEFAULT_SOURCE = 'table';

const MISSING = new Set(['', 'NA', 'NaN', 'nan', 'N/A']);

/**
 * A number as a table cell writes it: an optional sign, decimal digits with an optional point, an
 * optional exponent, blanks around it. Not `Infinity`, `0x10`, `1_000` or `1,5`.
 */
const DECIMAL = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

/** Whether a text cell means "missing": empty, `NA`, `NaN` (also `nan`, `N/A`), blanks around it allowed. */
export function missing(text: string): boolean {
  return MISSING.has(text.trim());
}

/** The cell's value when it is a decimal number (possibly beyond float64, then infinite), else NaN. */
export function parseNumber(text: string): number {
  return DECIMAL.test(text) ? Number(text) : NaN;
}

/**
 * A column from text cells (CSV): missing markers become null, and the column is numeric when
 * every other cell is a finite decimal number. The caller has checked the arguments.
 */
export function textColumn(name: string, raw: readonly string[]): Column {
  const cells = raw.map((text) => (missing(text) ? null : text));
  return { name, cells, raw, numbers: toNumbers(cells) };
}

/**
 * A table from columns of text (as a CSV reader gives them): missing markers (an empty cell,
 * `NA`, `NaN`) become null, and a column is numeric when every other cell is a number. Every
 * column needs a name and as many cells as the others. `options.source` names the table in
 * messages and becomes its `source` (default `'table'`).
 *
 * @throws {@link ShapeMismatchError} when the columns have different numbers of cells.
 * @throws {@link TableFormatError} when a column name is blank.
 * @throws {@link InvalidArgumentError} when a column is not an array of strings, or `options.source` not a string.
 * @example
 * ```ts
 * tableFromColumns({ site: ['A', 'B'], age: ['61', 'NA'] }).columns.get('age')?.numbers; // Float64Array.of(61, NaN)
 * tableFromColumns({ site: ['A', 'B'], age: ['61'] }, { source: 'inline' });
 * // throws ShapeMismatchError: inline: column "age" has 1 cells; column "site" has 2
 * ```
 */
export function tableFromColumns(columns: Readonly<Record<string, readonly string[]>>, options: { source?: string } = {}): Table {
  checkObject(columns, 'tableFromColumns: columns');
  const source = checkOptionalString(checkOptions(options, 'tableFromColumns: options').source, 'tableFromColumns: options.source') ?? DEFAULT_SOURCE;
  const names = Object.keys(columns);
  names.forEach((name) => checkStrings(columns[name], `tableFromColumns: columns[${JSON.stringify(name)}]`));
  checkColumnNames(names, source);
  const first = names[0];
  const rows = first === undefined ? 0 : (columns[first] as readonly string[]).length;
  for (const name of names) {
    const length = (columns[name] as readonly string[]).length;
    if (length !== rows) throw new ShapeMismatchError(`${source}: column "${name}" has ${length} cells; column "${first}" has ${rows}`);
  }
  return { source, names, rows, columns: new Map(names.map((name) => [name, textColumn(name, columns[name] as readonly string[])])) };
}

/** Refuses column names nobody can ask for: an empty (or blank) name, or a name given twice. */
export function checkColumnNames(names: readonly string[], source: string): void {
  const seen = new Map<string, number>();
  names.forEach((name, k) => {
    if (name.trim() === '') throw new TableFormatError(`${source}: column ${k + 1} has no name; every column needs one`);
    const first = seen.get(name);
    if (first !== undefined) throw new TableFormatError(`${source}: column "${name}" appears twice (columns ${first + 1} and ${k + 1}); names must be unique`);
    seen.set(name, k);
  });
}

/**
 * The column with a name, or a {@link TableFormatError} that lists the columns that exist (the
 * first 40) and suggests a column whose name differs only in letter case. `role` names the
 * column in the message (`batch column "Site" not found`).
 *
 * @throws {@link TableFormatError} when the table has no column of that name.
 * @throws {@link InvalidArgumentError} when `table` is not a table, or `name` or `role` not a string.
 * @example
 * ```ts
 * requireColumn(table, 'age', 'continuous column').cells[0]; // '61'
 * requireColumn(table, 'Site', 'batch column');
 * // throws TableFormatError: data.csv: batch column "Site" not found (did you mean "site"?);
 * // columns are subject, site, sex, age, lh_x, lh_y, rh_x
 * ```
 */
export function requireColumn(table: Table, name: string, role = 'column'): Column {
  checkTable(table, 'requireColumn: table');
  checkString(name, 'requireColumn: name');
  checkString(role, 'requireColumn: role');
  const column = table.columns.get(name);
  if (column === undefined) {
    const near = table.names.find((other) => other.toLowerCase() === name.toLowerCase());
    const listed = table.names.length <= 40 ? table.names.join(', ') : `${table.names.slice(0, 40).join(', ')}, ... (${table.names.length} in all)`;
    throw new TableFormatError(`${table.source}: ${role} "${name}" not found${near === undefined ? '' : ` (did you mean "${near}"?)`}; columns are ${listed}`);
  }
  return column;
}

/**
 * A row of a table as a person reads it, for messages: `row 5`, or with an id column
 * `row 5 (subject "sub-004")`. `row` is 0-based; the text is 1-based, row 1 being the first row
 * after the header (of the file, for a chunk: its `firstRow` is added). Every message of this
 * package that names a row says it this way.
 *
 * @throws {@link TableFormatError} when the table has no column `options.idColumn`.
 * @throws {@link InvalidArgumentError} when `row` is not a row index of the table.
 * @example
 * ```ts
 * describeRow(table, 4); // 'row 5'
 * describeRow(table, 4, { idColumn: 'subject' }); // 'row 5 (subject "sub-005")'
 * ```
 */
export function describeRow(table: Table, row: number, options: { idColumn?: string } = {}): string {
  checkTable(table, 'describeRow: table');
  checkRowIndex(row, table, 'describeRow: row');
  const idColumn = checkOptionalString(checkOptions(options, 'describeRow: options').idColumn, 'describeRow: options.idColumn');
  const line = row + 1 + (table.firstRow ?? 0);
  if (idColumn === undefined) return `row ${line}`;
  const id = requireColumn(table, idColumn, 'id column').cells[row];
  return `row ${line} (${idColumn} ${id === null || id === undefined ? 'missing' : JSON.stringify(id)})`;
}

/**
 * The column's values as float64, or a {@link TableFormatError} naming the first cell that is not
 * a finite number: its row (row 1 is the first data row; with `idColumn`, also the row's id),
 * column and text. Missing cells are NaN.
 *
 * @throws {@link TableFormatError} when a present cell is not a finite number.
 * @throws {@link InvalidArgumentError} when `column` is not a column of the table.
 * @example
 * ```ts
 * numericValues(table, requireColumn(table, 'lh_y')).slice(0, 3); // Float64Array.of(3.4, 3.1, NaN)
 * numericValues(table, requireColumn(table, 'sex'), { idColumn: 'subject' });
 * // throws TableFormatError: data.csv: row 1 (subject "sub-001"), column "sex": "F" is not a number
 * ```
 */
export function numericValues(table: Table, column: Column, options: { idColumn?: string } = {}): Float64Array {
  checkTable(table, 'numericValues: table');
  checkColumn(column, table.rows, 'numericValues: column');
  const idColumn = checkOptionalString(checkOptions(options, 'numericValues: options').idColumn, 'numericValues: options.idColumn');
  if (column.numbers !== null) return column.numbers;
  const row = column.cells.findIndex((cell) => cell !== null && !Number.isFinite(parseNumber(cell)));
  const cell = column.cells[row];
  if (cell === undefined || cell === null) {
    const type = (column as { vector?: { type?: unknown } }).vector?.type;
    throw new TableFormatError(`${table.source}: column "${column.name}" is not numeric${type === undefined ? '' : ` (its Arrow type is ${String(type)})`}; expected numbers`);
  }
  const hint = /^\s*[+-]?\d*,\d+\s*$/.test(cell) ? '; write decimals with a point (1.5), not a comma' : '';
  throw new TableFormatError(`${table.source}: ${describeRow(table, row, { idColumn })}, column "${column.name}": ${JSON.stringify(cell)} is not a number${hint}`);
}

function toNumbers(cells: readonly (string | null)[]): Float64Array | null {
  const numbers = new Float64Array(cells.length);
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i];
    if (cell === null || cell === undefined) {
      numbers[i] = NaN;
      continue;
    }
    const value = parseNumber(cell);
    if (!Number.isFinite(value)) return null;
    numbers[i] = value;
  }
  return numbers;
}

/**
 * The rows `order` of a table, in that order (for pairing a covariates table with a data table);
 * every entry must be a row index of the table. The table keeps its source.
 *
 * @throws {@link InvalidArgumentError} when an entry of `order` is not a row index of the table.
 * @example
 * ```ts
 * selectRows(table, [7, 0]).columns.get('subject')?.cells; // ['sub-008', 'sub-001']
 * ```
 */
export function selectRows(table: Table, order: readonly number[]): Table {
  checkTable(table, 'selectRows: table');
  if (!Array.isArray(order)) refuseArgument('selectRows: order', 'an array of row indices', order);
  order.forEach((row, k) => checkRowIndex(row, table, `selectRows: order[${k}]`));
  const pick = <T>(values: readonly T[]): T[] => order.map((row) => values[row] as T);
  const columns = new Map<string, Column>();
  for (const [name, column] of table.columns) {
    const numbers = column.numbers === null ? null : Float64Array.from(order, (row) => (column.numbers as Float64Array)[row] as number);
    columns.set(name, { name, cells: pick(column.cells), numbers, ...(column.raw === undefined ? {} : { raw: pick(column.raw) }) });
  }
  return { source: table.source, names: table.names, rows: order.length, columns };
}
