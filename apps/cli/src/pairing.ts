import type { Covariates } from '@combat/core';
import { covariatesFromTable, pairRows, requireColumn, uniqueIds, type CovariateColumns, type Table } from '@combat/io-arrow';
import { openTable, readTable, type TableChunks } from '@combat/io-arrow/node';
import { UsageError } from './cli-io.js';

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
 * covariate columns (`columns`, those it has) in one pass; reads `--covariates` when given, and
 * pairs their rows by the `--id` column (io-arrow's `pairRows`: every id present and unique in
 * both, the same ids in both, and a batch or covariate column both hold saying the same of every
 * subject). Without `--covariates` the data table holds the covariates; `--id` then only names
 * rows in messages (and must still be unique).
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
  if (covariatesPath === undefined) {
    uniqueIds(data, idColumn);
    return { file, data, covariates: data, idColumn };
  }
  const covariates = await readTable(covariatesPath);
  return { file, data, covariates, order: pairRows(data, covariates, idColumn, roleColumns(columns)), idColumn };
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
