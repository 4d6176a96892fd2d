import type { Covariates, DataMatrix } from '@combat/core';
import { TableFormatError } from './errors.js';
import { numericValues, requireColumn, type Table } from './table.js';

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
 * The feature columns: `features` when given (each must exist), else every numeric column that is
 * not the id, the batch, a covariate, or in `exclude`. At least one is required.
 *
 * @example
 * ```ts
 * featureColumns(table, { batchCol: 'site', continuousCols: ['age'] }); // ['f000', 'f001', ...]
 * ```
 */
export function featureColumns(table: Table, roles: ColumnRoles, choice: { features?: readonly string[]; exclude?: readonly string[] } = {}): string[] {
  const reserved = new Set([roles.batchCol, roles.idCol, ...(roles.categoricalCols ?? []), ...(roles.continuousCols ?? [])]);
  for (const name of choice.exclude ?? []) requireColumn(table, name, 'excluded column');
  const features =
    choice.features !== undefined
      ? choice.features.map((name) => requireColumn(table, name, 'feature column').name)
      : table.names.filter((name) => !reserved.has(name) && !(choice.exclude ?? []).includes(name) && table.columns.get(name)?.numbers !== null);
  if (features.length === 0) {
    throw new TableFormatError(`${table.source}: no feature columns; expected numeric columns besides the id, batch and covariates (columns are ${table.names.join(', ')})`);
  }
  return features;
}

/**
 * The feature columns as a sample-major matrix (NaN where a cell is missing); a non-numeric cell
 * is an error naming its row and column.
 *
 * @example
 * ```ts
 * const matrix = tableMatrix(table, ['f000', 'f001']);
 * ```
 */
export function tableMatrix(table: Table, features: readonly string[]): DataMatrix {
  const V = features.length;
  const data = new Float64Array(table.rows * V);
  features.forEach((name, v) => {
    const values = numericValues(table, requireColumn(table, name, 'feature column'));
    for (let i = 0; i < table.rows; i++) data[i * V + v] = values[i] as number;
  });
  return { data, samples: table.rows, features: V };
}

/**
 * The batch and covariate columns as core covariates; a missing batch or categorical cell, or a
 * missing or non-numeric continuous cell, is an error naming its row and column.
 *
 * @example
 * ```ts
 * const covariates = covariatesFromTable(table, { batchCol: 'site', continuousCols: ['age'] });
 * ```
 */
export function covariatesFromTable(table: Table, roles: ColumnRoles): Covariates {
  const labels = (name: string, role: string): string[] => {
    const column = requireColumn(table, name, role);
    return column.cells.map((cell, row) => {
      if (cell === null) throw new TableFormatError(`${table.source}: row ${row + 1}, column "${name}": missing; every row needs a value`);
      return cell;
    });
  };
  return {
    batch: labels(roles.batchCol, 'batch column'),
    categorical: Object.fromEntries((roles.categoricalCols ?? []).map((name) => [name, labels(name, 'categorical column')])),
    continuous: Object.fromEntries(
      (roles.continuousCols ?? []).map((name) => {
        const values = numericValues(table, requireColumn(table, name, 'continuous column'));
        const row = values.findIndex(Number.isNaN);
        if (row >= 0) throw new TableFormatError(`${table.source}: row ${row + 1}, column "${name}": missing; every row needs a value`);
        return [name, values];
      }),
    ),
  };
}
