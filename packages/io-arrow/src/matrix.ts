import type { Covariates, DataMatrix } from '@combat/core';
import { checkObject, checkOptionalString, checkString, checkStrings, checkTable } from './arguments.js';
import { TableFormatError } from './errors.js';
import { describeRow, numericValues, requireColumn, type Table } from './table.js';

/**
 * Which columns of a table play which role.
 *
 * @example
 * ```ts
 * const roles: ColumnRoles = { batchCol: 'site', categoricalCols: ['sex'], continuousCols: ['age'], idCol: 'subject' };
 * ```
 */
export interface ColumnRoles {
  readonly batchCol: string;
  readonly categoricalCols?: readonly string[];
  readonly continuousCols?: readonly string[];
  readonly idCol?: string;
}

/**
 * The feature columns as a sample-major matrix (NaN where a cell is missing); a non-numeric cell
 * is an error naming its row (and, with `idColumn`, the row's id), column and text.
 *
 * @example
 * ```ts
 * const matrix = tableMatrix(table, ['f000', 'f001'], { idColumn: 'subject' });
 * ```
 */
export function tableMatrix(table: Table, features: readonly string[], options: { idColumn?: string } = {}): DataMatrix {
  checkTable(table, 'tableMatrix: table');
  checkStrings(features, 'tableMatrix: features');
  const idColumn = rowIds(table, options, 'tableMatrix');
  const V = features.length;
  const data = new Float64Array(table.rows * V);
  features.forEach((name, v) => {
    const values = numericValues(table, requireColumn(table, name, 'feature column'), { idColumn });
    for (let i = 0; i < table.rows; i++) data[i * V + v] = values[i] as number;
  });
  return { data, samples: table.rows, features: V };
}

/**
 * The batch and covariate columns as core covariates; a missing batch or categorical cell, or a
 * missing or non-numeric continuous cell, is an error naming its row (and, with `idColumn`, the
 * row's id) and column.
 *
 * @example
 * ```ts
 * const covariates = covariatesFromTable(table, { batchCol: 'site', continuousCols: ['age'] }, { idColumn: 'subject' });
 * ```
 */
export function covariatesFromTable(table: Table, roles: ColumnRoles, options: { idColumn?: string } = {}): Covariates {
  checkTable(table, 'covariatesFromTable: table');
  checkRoles(roles, 'covariatesFromTable: roles');
  const idColumn = rowIds(table, options, 'covariatesFromTable');
  const missing = (row: number, name: string): never => {
    throw new TableFormatError(`${table.source}: ${describeRow(table, row, idColumn)}, column "${name}": missing; every row needs a value`);
  };
  const labels = (name: string, role: string): string[] => requireColumn(table, name, role).cells.map((cell, row) => cell ?? missing(row, name));
  return {
    batch: labels(roles.batchCol, 'batch column'),
    categorical: Object.fromEntries((roles.categoricalCols ?? []).map((name) => [name, labels(name, 'categorical column')])),
    continuous: Object.fromEntries(
      (roles.continuousCols ?? []).map((name) => {
        const values = numericValues(table, requireColumn(table, name, 'continuous column'), { idColumn });
        const row = values.findIndex(Number.isNaN);
        return [name, row >= 0 ? missing(row, name) : values];
      }),
    ),
  };
}

/** The id column of `options` (checked to exist), for naming rows in messages. */
function rowIds(table: Table, options: unknown, fn: string): string | undefined {
  const idColumn = checkOptionalString(checkObject(options, `${fn}: options`, true).idColumn, `${fn}: options.idColumn`);
  if (idColumn !== undefined) requireColumn(table, idColumn, 'id column');
  return idColumn;
}

function checkRoles(value: unknown, what: string): ColumnRoles {
  const roles = checkObject(value, what);
  checkString(roles.batchCol, `${what}.batchCol`);
  if (roles.categoricalCols !== undefined) checkStrings(roles.categoricalCols, `${what}.categoricalCols`);
  if (roles.continuousCols !== undefined) checkStrings(roles.continuousCols, `${what}.continuousCols`);
  checkOptionalString(roles.idCol, `${what}.idCol`);
  return roles as unknown as ColumnRoles;
}
