import {
  CombatAccumulator,
  applyEncoded,
  codeDesign,
  encodeCovariates,
  finalizeModel,
  type CombatModel,
  type CombatOptions,
  type CombatWarning,
  type Covariates,
  type DataMatrix,
  type EncodedRows,
} from '@combat/core';
import { checkFitBatches } from '@combat/core/internal';
import { TableEncoder, tableMatrix, type Table } from '@combat/io-arrow';
import { tableFormat } from '@combat/io-arrow/node';
import { inRows, inRowsAsync, type RowContext } from './explain.js';
import type { OutputPlan } from './outputs.js';
import type { PairedTables } from './pairing.js';

/**
 * The passes of the table commands over the rows of `--data`, a chunk at a time, so that a table
 * larger than memory is fitted, adjusted and written: only a chunk of rows, the covariates of
 * every row and the model are held at once. Each chunk's feature columns become a matrix, its
 * rows' covariates are the slice of the encoded covariates of every row, and an error about a
 * sample names its row of the file (`RowContext` of the chunk).
 */

/** What the library's errors name: the id column, the features, the batch flags (the rows are the chunk's). */
export type ChunkContext = Omit<RowContext, 'table'>;

/**
 * One pass over the data's chunks: `visit` gets each chunk, its feature columns as a matrix (a
 * cell that is not a number is an error naming its file row and column) and its rows' encoded
 * covariates; the library's errors in it are worded for the chunk's rows.
 */
export async function eachChunk(
  paired: PairedTables,
  features: readonly string[],
  encoded: EncodedRows,
  context: ChunkContext,
  visit: (chunk: Table, matrix: DataMatrix, rows: EncodedRows) => void | Promise<void>,
): Promise<void> {
  for await (const chunk of paired.file.chunks()) {
    const matrix = tableMatrix(chunk, features, { idColumn: paired.idColumn });
    await inRowsAsync({ ...context, table: chunk }, async () => visit(chunk, matrix, sliceRows(encoded, chunk.firstRow ?? 0, chunk.rows)));
  }
}

/** Rows `first` to `first + count` (exclusive) of encoded rows (of one row or more). */
export function sliceRows(rows: EncodedRows, first: number, count: number): EncodedRows {
  const q = rows.covariates.length / rows.samples;
  return { samples: count, batch: rows.batch.slice(first, first + count), covariates: rows.covariates.subarray(first * q, (first + count) * q) };
}

/**
 * The fit of `harmonize` (core's `harmonize` up to its model) in one pass over the chunks: the
 * design coded from the covariates of every row (levels, ranges, spline knots), the batches
 * checked, then the statistics accumulated chunk by chunk and the model finalized. `scan` sees
 * every chunk (an Arrow output learns its column types). The same model as `harmonize` of the
 * whole table when it is one chunk; otherwise the statistics are the merge of the chunks', equal
 * to rounding.
 */
export async function fitChunks(
  paired: PairedTables,
  features: readonly string[],
  covariates: Covariates,
  options: CombatOptions,
  context: ChunkContext,
  scan: (chunk: Table) => void,
): Promise<{ model: CombatModel; warnings: CombatWarning[]; encoded: EncodedRows; missingCells: number }> {
  const rows: RowContext = { ...context, table: paired.data };
  const { splines, ...fitOptions } = options;
  const { coding, encoded } = inRows(rows, () => {
    const design = codeDesign(covariates, splines === undefined ? {} : { splines });
    checkFitBatches(covariates.batch, options.refBatch ?? null);
    return { coding: design, encoded: encodeCovariates(design, covariates) };
  });
  const accumulator = new CombatAccumulator(coding, features.length);
  let missingCells = 0;
  await eachChunk(paired, features, encoded, context, (chunk, matrix, chunkRows) => {
    scan(chunk);
    accumulator.addEncoded(matrix, chunkRows);
    missingCells += countMissing(matrix);
  });
  const { model, warnings } = inRows(rows, () => finalizeModel(accumulator.statistics(), fitOptions));
  return { model, warnings, encoded, missingCells };
}

/**
 * The adjust pass: each chunk's features adjusted with the model (core's `applyEncoded`) and
 * written to `path` as it goes, every column in order (see `TableEncoder`), through the plan's
 * temporary file; returns the missing cells seen. `encoder` is the one that scanned the chunks
 * before, for an Arrow output.
 */
export async function adjustChunks(paired: PairedTables, features: readonly string[], model: CombatModel, encoded: EncodedRows, context: ChunkContext, output: { plan: OutputPlan; path: string; encoder: TableEncoder }): Promise<number> {
  const { plan, path, encoder } = output;
  const writer = await plan.open(path);
  let missingCells = 0;
  await eachChunk(paired, features, encoded, context, async (chunk, matrix, rows) => {
    missingCells += countMissing(matrix);
    await writer.write(encoder.encode(chunk, featureMap(features, applyEncoded(model, matrix, rows))));
  });
  await writer.write(encoder.finish());
  await writer.close();
  return missingCells;
}

/** The encoder of a table output by its extension, and whether it must see every chunk before the first it writes (Arrow). */
export function outputEncoder(path: string): { encoder: TableEncoder; scan: (chunk: Table, features: readonly string[]) => void } {
  const encoder = new TableEncoder(tableFormat(path));
  return { encoder, scan: (chunk, features) => (encoder.format === 'arrow' ? encoder.scan(chunk, features) : undefined) };
}

/**
 * Splits a sample-major matrix into named columns.
 */
export function featureMap(features: readonly string[], data: Float64Array): Map<string, Float64Array> {
  const V = features.length;
  return new Map(features.map((name, v) => [name, Float64Array.from({ length: data.length / V }, (_, i) => data[i * V + v] as number)]));
}

/**
 * The number of missing (NaN) cells of a matrix.
 */
export function countMissing(matrix: DataMatrix): number {
  let missing = 0;
  for (const value of matrix.data) if (value !== value) missing++;
  return missing;
}
