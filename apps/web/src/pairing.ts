import type { Covariates } from '@combat/core';
import { covariatesFromTable, pairRows, uniqueIds, type CovariateColumns, type Table } from '@combat/io-arrow';
import { FieldError, inField } from './explain.js';

/**
 * The batch and covariates of each data row, as the CLI pairs `--data` with `--covariates` by
 * `--id` (io-arrow's `pairRows`, with its messages): without a covariates table the data holds
 * them (and ids, when given, must be unique); with one, every id present and unique in both
 * tables, the same ids in both, and a column both tables hold agreeing for every subject.
 */
export function pairedCovariates(data: Table, covariates: Table | null, idColumn: string | null, columns: CovariateColumns): Covariates {
  requireId(covariates, idColumn);
  if (idColumn !== null) inField('data-file', () => uniqueIds(data, idColumn));
  if (covariates === null || idColumn === null) return covariatesFromTable(data, columns, idColumn === null ? {} : { idColumn });
  const order = inField('covars-file', () => pairRows(data, covariates, idColumn, [columns.batch, ...(columns.categorical ?? []), ...(columns.continuous ?? [])]));
  const all = covariatesFromTable(covariates, columns, { idColumn });
  const pick = <T>(values: ArrayLike<T>): T[] => order.map((row) => values[row] as T);
  return {
    batch: pick(all.batch),
    categorical: Object.fromEntries(Object.entries(all.categorical ?? {}).map(([name, values]) => [name, pick(values)])),
    continuous: Object.fromEntries(Object.entries(all.continuous ?? {}).map(([name, values]) => [name, Float64Array.from(pick(values))])),
  };
}

/** A covariates table pairs with the data by an id column: without one, the CLI's usage error (`--covariates needs --id`), next to the id. */
export function requireId(covariates: Table | null, idColumn: string | null): void {
  if (covariates !== null && idColumn === null) {
    throw new FieldError('id-column', 'a covariates table needs an id column: the column of subject ids both tables share, by which their rows pair');
  }
}
