import type { Covariates } from '@combat/core';
import { covariatesFromTable, requireColumn, type ColumnRoles, type Table } from '@combat/io-arrow';
import { readTable } from '@combat/io-arrow/node';
import { DataError, UsageError } from './cli-io.js';

/**
 * The data table, the table to take the batch and covariates from (row for row with the data),
 * and each row's id.
 *
 * @example
 * ```ts
 * const { data, covariates, order } = await readPaired('rois.csv', 'demographics.csv', 'subject');
 * ```
 */
export interface PairedTables {
  readonly data: Table;
  /** The table of batch and covariates: `--covars`, or the data table itself. */
  readonly covariates: Table;
  /** For each data row, its row in `covariates` (absent: the same row). */
  readonly order?: readonly number[];
  readonly idColumn?: string;
  readonly ids?: readonly string[];
}

/**
 * Reads `--data` and, when given, `--covars`, and pairs their rows by the `--id` column, which
 * both must have: every id present, none twice in either table, and the same set of ids in both
 * (a missing or extra id is an error naming it). Without `--covars` the data table holds the
 * covariates; `--id` then only names rows in messages (and must still be unique).
 *
 * @example
 * ```ts
 * const { data, covariates } = await readPaired('rois.csv', 'demographics.csv', 'subject');
 * ```
 */
export async function readPaired(dataPath: string, covarsPath: string | undefined, idColumn: string | undefined): Promise<PairedTables> {
  if (covarsPath !== undefined && idColumn === undefined) {
    throw new UsageError('--covars needs --id COLUMN: the column of subject ids both tables share, by which their rows pair');
  }
  const data = await readTable(dataPath);
  if (idColumn === undefined) return { data, covariates: data };
  const ids = idsOf(data, idColumn);
  if (covarsPath === undefined) return { data, covariates: data, idColumn, ids };
  const covariates = await readTable(covarsPath);
  const rowOf = new Map(idsOf(covariates, idColumn).map((id, row) => [id, row]));
  const unpaired = ids.map((id, row) => ({ id, row })).filter(({ id }) => !rowOf.has(id));
  if (unpaired.length > 0) {
    throw new DataError(`${dataPath}: ${count(unpaired.length, 'id')} with no row in ${covarsPath}: ${listRows(unpaired)}`);
  }
  const wanted = new Set(ids);
  const extra = [...rowOf].filter(([id]) => !wanted.has(id)).map(([id, row]) => ({ id, row }));
  if (extra.length > 0) {
    throw new DataError(`${covarsPath}: ${count(extra.length, 'id')} with no row in ${dataPath}: ${listRows(extra)}; every subject must be in both tables`);
  }
  return { data, covariates, order: ids.map((id) => rowOf.get(id) as number), idColumn, ids };
}

/**
 * The batch and covariates of each data row: read from the covariates table (whose errors name
 * its own rows), then put in the data's row order.
 *
 * @example
 * ```ts
 * const covariates = pairedCovariates(await readPaired('rois.csv', 'demographics.csv', 'subject'), roles);
 * ```
 */
export function pairedCovariates(paired: PairedTables, roles: ColumnRoles): Covariates {
  const all = covariatesFromTable(paired.covariates, roles, paired.idColumn === undefined ? {} : { idColumn: paired.idColumn });
  const { order } = paired;
  if (order === undefined) return all;
  checkAgreement(paired, order, [roles.batchCol, ...(roles.categoricalCols ?? []), ...(roles.continuousCols ?? [])]);
  const pick = <T>(values: ArrayLike<T>): T[] => order.map((row) => values[row] as T);
  return {
    batch: pick(all.batch),
    categorical: Object.fromEntries(Object.entries(all.categorical ?? {}).map(([name, values]) => [name, pick(values)])),
    continuous: Object.fromEntries(Object.entries(all.continuous ?? {}).map(([name, values]) => [name, Float64Array.from(pick(values))])),
  };
}

/**
 * A batch or covariate column that both tables have must say the same for every subject: a
 * disagreement (which table is right?) is an error naming the subject and both values.
 */
function checkAgreement(paired: PairedTables, order: readonly number[], names: readonly string[]): void {
  const { data, covariates, ids } = paired;
  for (const name of names) {
    const [mine, theirs] = [data.columns.get(name), covariates.columns.get(name)];
    if (mine === undefined || theirs === undefined) continue;
    order.forEach((row, i) => {
      const [a, b] = [mine.cells[i] ?? null, theirs.cells[row] ?? null];
      const same = a === b || (a !== null && b !== null && mine.numbers != null && theirs.numbers != null && Number(a) === Number(b));
      if (!same) {
        throw new DataError(
          `${data.source}: row ${i + 1} (${paired.idColumn} ${JSON.stringify(ids?.[i])}), column "${name}": ${JSON.stringify(a)} here but ${JSON.stringify(b)} in ${covariates.source} (row ${row + 1}); the tables disagree about this subject`,
        );
      }
    });
  }
}

/** The id column's cells, each present and unique. */
function idsOf(table: Table, idColumn: string): string[] {
  const cells = requireColumn(table, idColumn, 'id column').cells;
  const first = new Map<string, number>();
  return cells.map((id, row) => {
    if (id === null) throw new DataError(`${table.source}: row ${row + 1}, column "${idColumn}": the id is missing; every row needs one`);
    const earlier = first.get(id);
    if (earlier !== undefined) throw new DataError(`${table.source}: id ${JSON.stringify(id)} (column "${idColumn}") appears in rows ${earlier + 1} and ${row + 1}; ids must be unique`);
    first.set(id, row);
    return id;
  });
}

function listRows(entries: readonly { id: string; row: number }[]): string {
  const shown = entries.slice(0, 5).map(({ id, row }) => `${JSON.stringify(id)} (row ${row + 1})`);
  return `${shown.join(', ')}${entries.length > 5 ? `, and ${entries.length - 5} more` : ''}`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
