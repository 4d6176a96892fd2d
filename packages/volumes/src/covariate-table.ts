import type { Covariates } from '@combat/core';
import { CovariateTableError } from './errors.js';

/**
 * A table of covariates by column, one row per volume in the volumes' order (what a CSV reader
 * or a data frame gives): `{ site: ['A', 'B'], age: [61, 47] }`.
 *
 * @example
 * ```ts
 * const covars: CovariateTable = { subject: ['s1', 's2'], site: ['A', 'B'], age: ['61', '47'] };
 * ```
 */
export type CovariateTable = Readonly<Record<string, ArrayLike<string | number>>>;

/**
 * Which columns of a {@link CovariateTable} are the batch and the covariates to preserve.
 *
 * @example
 * ```ts
 * const columns: CovariateColumns = { batchCol: 'site', categoricalCols: ['sex'], continuousCols: ['age'] };
 * ```
 */
export interface CovariateColumns {
  readonly batchCol: string;
  readonly categoricalCols?: readonly string[];
  readonly continuousCols?: readonly string[];
}

/**
 * Picks the named columns of a table as core covariates, checking that the table has one row per
 * volume, that every named column exists, that no cell is empty and that continuous cells are
 * finite numbers (strings are parsed).
 *
 * @example
 * ```ts
 * tableCovariates({ site: ['A', 'B'], age: ['61', '47'] }, 2, { batchCol: 'site', continuousCols: ['age'] });
 * // { batch: ['A', 'B'], categorical: {}, continuous: { age: Float64Array [61, 47] } }
 * ```
 */
export function tableCovariates(table: CovariateTable, volumes: number, columns: CovariateColumns): Required<Covariates> {
  const names = Object.keys(table);
  const column = (name: string, role: string): ArrayLike<string | number> => {
    const values = table[name];
    if (values === undefined) {
      throw new CovariateTableError(`${role} "${name}" not found in covars; columns are ${names.join(', ')}`);
    }
    if (values.length !== volumes) {
      throw new CovariateTableError(`covars column "${name}" has ${values.length} rows; expected one per volume (${volumes})`);
    }
    return values;
  };
  const labels = (name: string, role: string): string[] =>
    Array.from(column(name, role), (value, row) => {
      if (value === undefined || value === null || value === '') {
        throw new CovariateTableError(`covars column "${name}" is empty at row ${row}; expected a value for every volume`);
      }
      return String(value);
    });
  const numbers = (name: string): Float64Array =>
    Float64Array.from(column(name, 'continuous column'), (value, row) => {
      const number = typeof value === 'number' ? value : value === '' ? NaN : Number(value);
      if (!Number.isFinite(number)) {
        throw new CovariateTableError(`covars column "${name}" has ${JSON.stringify(value)} at row ${row}; expected a finite number`);
      }
      return number;
    });
  return {
    batch: labels(columns.batchCol, 'batch column'),
    categorical: Object.fromEntries((columns.categoricalCols ?? []).map((name) => [name, labels(name, 'categorical column')])),
    continuous: Object.fromEntries((columns.continuousCols ?? []).map((name) => [name, numbers(name)])),
  };
}
