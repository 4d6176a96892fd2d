import type { Covariates } from '@combat/core';
import { covariatesFromTable, describeRow, requireColumn, type Column, type CovariateColumns, type Table } from '@combat/io-arrow';
import { openTable, readTable, type TableChunks } from '@combat/io-arrow/node';
import { DataError, UsageError } from './cli-io.js';

/**
 * The data table, the table to take the batch and covariates from (row for row with the data),
 * and the column of row ids. The data is read in chunks (`file`); what pairing needs of it, its
 * id, batch and covariate columns, is held whole (`data`).
 */
export interface PairedTables {
  /** The data file, for passes over its rows in chunks. */
  readonly file: TableChunks;
  /** The data's id, batch and covariate columns (those it has), every row. */
  readonly data: Table;
  /** The table of batch and covariates: `--covariates`, or `data` itself. */
  readonly covariates: Table;
  /** For each data row, its row in `covariates` (absent: the same row). */
  readonly order?: readonly number[];
  readonly idColumn?: string;
}

/**
 * Opens `--data` (to read in chunks of `COMBAT_CHUNK_BYTES`, when set) and reads its id, batch and
 * covariate columns (`columns`, those it has) in one pass; reads `--covariates` when given, and pairs their rows by the `--id` column, which both
 * must have: every id present, none twice in either table, and the same set of ids in both (a
 * missing or extra id is an error naming it). Without `--covariates` the data table holds the
 * covariates; `--id` then only names rows in messages (and must still be unique).
 */
export async function readPaired(dataPath: string, covariatesPath: string | undefined, idColumn: string | undefined, columns: CovariateColumns): Promise<PairedTables> {
  if (covariatesPath !== undefined && idColumn === undefined) {
    throw new UsageError('--covariates needs --id COLUMN: the column of subject ids both tables share, by which their rows pair');
  }
  const file = await openTable(dataPath, chunkSize());
  if (idColumn !== undefined) requireColumn(file.header, idColumn, 'id column');
  const wanted = [idColumn, ...roleColumns(columns)].filter((name): name is string => name !== undefined && file.header.columns.has(name));
  const data = await file.readColumns(wanted);
  if (idColumn === undefined) return { file, data, covariates: data };
  const ids = idsOf(data, idColumn);
  if (covariatesPath === undefined) return { file, data, covariates: data, idColumn };
  const covariates = await readTable(covariatesPath);
  const rowOf = new Map(idsOf(covariates, idColumn).map((id, row) => [id, row]));
  const unpaired = ids.map((id, row) => ({ id, row })).filter(({ id }) => !rowOf.has(id));
  if (unpaired.length > 0) {
    throw new DataError(`${dataPath}: ${count(unpaired.length, 'id')} with no row in ${covariatesPath}: ${listRows(unpaired)}`);
  }
  const wantedIds = new Set(ids);
  const extra = [...rowOf].filter(([id]) => !wantedIds.has(id)).map(([id, row]) => ({ id, row }));
  if (extra.length > 0) {
    throw new DataError(`${covariatesPath}: ${count(extra.length, 'id')} with no row in ${dataPath}: ${listRows(extra)}; every subject must be in both tables`);
  }
  return { file, data, covariates, order: ids.map((id) => rowOf.get(id) as number), idColumn };
}

/**
 * The batch and covariates of each data row: read from the covariates table (whose errors name
 * its own rows), then put in the data's row order. A column the data lacks, when the data holds
 * the covariates, is named against every column of the data file.
 */
export function pairedCovariates(paired: PairedTables, columns: CovariateColumns): Covariates {
  if (paired.covariates === paired.data) {
    const roles: [readonly string[], string][] = [[[columns.batch], 'batch column'], [columns.categorical ?? [], 'categorical column'], [columns.continuous ?? [], 'continuous column']];
    for (const [names, role] of roles) for (const name of names) requireColumn(paired.file.header, name, role);
  }
  const all = covariatesFromTable(paired.covariates, columns, { idColumn: paired.idColumn });
  const { order } = paired;
  if (order === undefined) return all;
  checkAgreement(paired, order, roleColumns(columns));
  const pick = <T>(values: ArrayLike<T>): T[] => order.map((row) => values[row] as T);
  return {
    batch: pick(all.batch),
    categorical: Object.fromEntries(Object.entries(all.categorical ?? {}).map(([name, values]) => [name, pick(values)])),
    continuous: Object.fromEntries(Object.entries(all.continuous ?? {}).map(([name, values]) => [name, Float64Array.from(pick(values))])),
  };
}

/**
 * How much of the data a chunk holds: `COMBAT_CHUNK_BYTES` (bytes of text, or of Arrow record
 * batches), for tests and tuning; else io-arrow's default (2 MiB).
 */
export function chunkSize(): { chunkBytes?: number } {
  const given = process.env.COMBAT_CHUNK_BYTES;
  if (given === undefined || given === '') return {};
  if (!/^[1-9]\d*$/.test(given)) throw new UsageError(`COMBAT_CHUNK_BYTES=${given}: expected a whole number of bytes of at least 1`);
  return { chunkBytes: Number(given) };
}

/** The batch column and the covariate columns. */
function roleColumns(columns: CovariateColumns): string[] {
  return [columns.batch, ...(columns.categorical ?? []), ...(columns.continuous ?? [])];
}

/**
 * A batch or covariate column that both tables have must say the same for every subject: a
 * disagreement (which table is right?) is an error naming the subject and both values.
 */
function checkAgreement(paired: PairedTables, order: readonly number[], names: readonly string[]): void {
  const { data, covariates } = paired;
  for (const name of names) {
    const [mine, theirs] = [data.columns.get(name), covariates.columns.get(name)];
    if (mine === undefined || theirs === undefined) continue;
    order.forEach((row, i) => {
      const [a, b] = [mine.cells[i] ?? null, theirs.cells[row] ?? null];
      if (!sameCell(mine, i, theirs, row)) {
        throw new DataError(
          `${data.source}: ${describeRow(data, i, { idColumn: paired.idColumn })}, column "${name}": ${JSON.stringify(a)} here but ${JSON.stringify(b)} in ${covariates.source} (row ${row + 1}); the tables disagree about this subject`,
        );
      }
    });
  }
}

/**
 * Whether two tables' cells say the same: the same text, or both missing, or, in two numeric
 * columns, the same number (`83` and `83.0`).
 */
export function sameCell(mine: Column, i: number, theirs: Column, row: number): boolean {
  const [a, b] = [mine.cells[i] ?? null, theirs.cells[row] ?? null];
  return a === b || (a !== null && b !== null && mine.numbers != null && theirs.numbers != null && Number(a) === Number(b));
}

/** The id column's cells, each present and unique. */
function idsOf(table: Table, idColumn: string): string[] {
  const cells = requireColumn(table, idColumn, 'id column').cells;
  const first = new Map<string, number>();
  return cells.map((id, row) => {
    if (id === null) throw new DataError(`${table.source}: ${describeRow(table, row)}, column "${idColumn}": the id is missing; every row needs one`);
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
