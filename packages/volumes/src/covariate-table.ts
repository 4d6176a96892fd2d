import { InvalidArgumentError } from '@combat/core';
import type { Covariates } from '@combat/core';
import { describeValue, requireObject } from './arguments.js';
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
 * finite numbers (strings are parsed). Messages count rows from 1 (row 1 is the first volume) and
 * name the volume with `options.names` (the volumes' files), when given.
 *
 * @example
 * ```ts
 * tableCovariates({ site: ['A', 'B'], age: ['61', '47'] }, 2, { batchCol: 'site', continuousCols: ['age'] }, { names: ['a.nii', 'b.nii'] });
 * // { batch: ['A', 'B'], categorical: {}, continuous: { age: Float64Array [61, 47] } }
 * ```
 */
export function tableCovariates(
  table: CovariateTable,
  volumes: number,
  columns: CovariateColumns,
  options: { names?: readonly (string | undefined)[] } = {},
): Required<Covariates> {
  requireTableArguments(table, volumes, columns);
  const names = Object.keys(table);
  const where = (row: number): string => {
    const name = options?.names?.[row];
    return `row ${row + 1}${typeof name === 'string' ? ` (${name})` : ''}`;
  };
  const column = (name: string, role: string): ArrayLike<string | number> => {
    const values = table[name];
    if (values === undefined) {
      throw new CovariateTableError(`${role} "${name}" not found in covars; columns are ${names.join(', ')}`);
    }
    if (typeof values !== 'object' || values === null || !Number.isSafeInteger(values.length)) {
      throw new CovariateTableError(`covars column "${name}" is ${describeValue(values)}; expected an array with one value per volume`);
    }
    if (values.length !== volumes) {
      throw new CovariateTableError(`covars column "${name}" has ${values.length} rows; expected one per volume (${volumes})`);
    }
    return values;
  };
  const labels = (name: string, role: string): string[] =>
    Array.from(column(name, role), (value, row) => {
      if (value === undefined || value === null || value === '') {
        throw new CovariateTableError(`covars column "${name}" is empty at ${where(row)}; expected a value for every volume`);
      }
      return String(value);
    });
  const numbers = (name: string): Float64Array =>
    Float64Array.from(column(name, 'continuous column'), (value, row) => {
      const number = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
      if (!Number.isFinite(number)) {
        throw new CovariateTableError(`covars column "${name}" has ${JSON.stringify(value) ?? String(value)} at ${where(row)}; expected a finite number`);
      }
      return number;
    });
  return {
    batch: labels(columns.batchCol, 'batch column'),
    categorical: Object.fromEntries((columns.categoricalCols ?? []).map((name) => [name, labels(name, 'categorical column')])),
    continuous: Object.fromEntries((columns.continuousCols ?? []).map((name) => [name, numbers(name)])),
  };
}

function requireTableArguments(table: unknown, volumes: unknown, columns: unknown): asserts columns is CovariateColumns {
  requireObject(table, 'covars');
  if (!Number.isSafeInteger(volumes) || (volumes as number) < 0) throw new InvalidArgumentError(`volumes: expected a count of volumes; received ${describeValue(volumes)}`);
  requireObject(columns, 'columns');
  const { batchCol, categoricalCols, continuousCols } = columns as Record<string, unknown>;
  if (typeof batchCol !== 'string') throw new InvalidArgumentError(`batchCol: expected the name of the batch column; received ${describeValue(batchCol)}`);
  for (const [what, list] of [['categoricalCols', categoricalCols], ['continuousCols', continuousCols]] as const) {
    if (list !== undefined && !(Array.isArray(list) && list.every((name) => typeof name === 'string'))) {
      throw new InvalidArgumentError(`${what}: expected an array of column names or undefined; received ${describeValue(list)}`);
    }
  }
}
