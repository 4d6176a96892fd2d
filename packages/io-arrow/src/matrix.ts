import type { Covariates, DataMatrix } from '@combat/core';
import { checkObject, checkOptionalString, checkOptions, checkString, checkStrings } from '@combat/base/internal';
import { checkTable } from './arguments.js';
import { TableFormatError } from './errors.js';
import { rowMatrix } from './row-column.js';
import { describeRow, numericValues, requireColumn, type Column, type Table } from './table.js';

/**
 * Which columns of a table hold the batch and the covariates: `batch` the batch labels,
 * `categorical` the categorical covariates (text labels), `continuous` the continuous ones
 * (numbers). An absent list means none. The column that names the rows is not one of them: pass
 * it as the `idColumn` option.
 *
 * @example
 * ```ts
 * import { harmonize } from '@combat/core';
 *
 * const columns: CovariateColumns = { batch: 'site', categorical: ['sex'], continuous: ['age'] };
 * const { model } = harmonize(tableMatrix(table, ['lh_x', 'rh_x']), covariatesFromTable(table, columns));
 * [...model.batches.keys()]; // ['A', 'B']
 * ```
 */
export interface CovariateColumns {
  readonly batch: string;
  readonly categorical?: readonly string[];
  readonly continuous?: readonly string[];
}

/**
 * The feature columns as a sample-major matrix (NaN where a cell is missing); a non-numeric cell
 * is an error naming its row (and, with `idColumn`, the row's id), column and text.
 *
 * @throws {@link TableFormatError} when a column (or `idColumn`) is not in the table, or a present
 * cell is not a finite number.
 * @throws {@link InvalidArgumentError} when an argument is not of its type.
 * @example
 * ```ts
 * const matrix = tableMatrix(table, ['lh_x', 'lh_y'], { idColumn: 'subject' });
 * [matrix.samples, matrix.features]; // [8, 2]
 * matrix.data[2 * 2 + 1]; // NaN
 * tableMatrix(table, ['lh_x', 'sex'], { idColumn: 'subject' });
 * // throws TableFormatError: data.csv: row 1 (subject "sub-001"), column "sex": "F" is not a number
 * ```
 */
export function tableMatrix(table: Table, features: readonly string[], options: { idColumn?: string } = {}): DataMatrix {
  checkTable(table, 'tableMatrix: table');
  checkStrings(features, 'tableMatrix: features');
  const idColumn = rowIds(table, options, 'tableMatrix');
  const V = features.length;
  const columns = features.map((name) => table.columns.get(name));
  const direct = columns.every((column) => column !== undefined) ? rowMatrix(columns as Column[], table.rows) : null;
  if (direct !== null) return { data: direct, samples: table.rows, features: V };
  const data = new Float64Array(table.rows * V);
  features.forEach((name, v) => {
    const values = numericValues(table, requireColumn(table, name, 'feature column'), { idColumn });
    for (let i = 0; i < table.rows; i++) data[i * V + v] = values[i] as number;
  });
  return { data, samples: table.rows, features: V };
}

/**
 * The batch and covariate columns as core's covariates; a missing batch or categorical cell, or
 * a missing or non-numeric continuous cell, is an error naming its row (and, with `idColumn`, the
 * row's id) and column.
 *
 * @throws {@link TableFormatError} when a column (or `idColumn`) is not in the table, a cell is
 * missing, or a continuous cell is not a finite number.
 * @throws {@link InvalidArgumentError} when an argument is not of its type.
 * @example
 * ```ts
 * const covariates = covariatesFromTable(table, { batch: 'site', categorical: ['sex'], continuous: ['age'] }, { idColumn: 'subject' });
 * covariates.batch; // ['A', 'A', 'A', 'A', 'B', 'B', 'B', 'B']
 * covariates.categorical?.sex?.[1]; // 'M'
 * covariates.continuous?.age?.[1]; // 47
 * covariatesFromTable(table, { batch: 'site', continuous: ['lh_y'] }, { idColumn: 'subject' });
 * // throws TableFormatError: data.csv: row 3 (subject "sub-003"), column "lh_y": missing; every row needs a value
 * ```
 */
export function covariatesFromTable(table: Table, columns: CovariateColumns, options: { idColumn?: string } = {}): Covariates {
  checkTable(table, 'covariatesFromTable: table');
  checkColumns(columns, 'covariatesFromTable: columns');
  const idColumn = rowIds(table, options, 'covariatesFromTable');
  const missing = (row: number, name: string): never => {
    throw new TableFormatError(`${table.source}: ${describeRow(table, row, { idColumn })}, column "${name}": missing; every row needs a value`);
  };
  const labels = (name: string, role: string): string[] => requireColumn(table, name, role).cells.map((cell, row) => cell ?? missing(row, name));
  return {
    batch: labels(columns.batch, 'batch column'),
    categorical: Object.fromEntries((columns.categorical ?? []).map((name) => [name, labels(name, 'categorical column')])),
    continuous: Object.fromEntries(
      (columns.continuous ?? []).map((name) => {
        const values = numericValues(table, requireColumn(table, name, 'continuous column'), { idColumn });
        const row = values.findIndex(Number.isNaN);
        return [name, row >= 0 ? missing(row, name) : values];
      }),
    ),
  };
}

/** The id column of `options` (checked to exist), for naming rows in messages. */
function rowIds(table: Table, options: unknown, fn: string): string | undefined {
  const idColumn = checkOptionalString(checkOptions(options, `${fn}: options`).idColumn, `${fn}: options.idColumn`);
  if (idColumn !== undefined) requireColumn(table, idColumn, 'id column');
  return idColumn;
}

function checkColumns(value: unknown, what: string): CovariateColumns {
  const columns = checkObject(value, what);
  checkString(columns.batch, `${what}.batch`);
  if (columns.categorical !== undefined) checkStrings(columns.categorical, `${what}.categorical`);
  if (columns.continuous !== undefined) checkStrings(columns.continuous, `${what}.continuous`);
  return columns as unknown as CovariateColumns;
}
