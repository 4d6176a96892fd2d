import {
  CombatAccumulator,
  codeDesign,
  encodeCovariates,
  finalizeModel,
  mergeStatistics,
  type CombatModel,
  type CombatOptions,
  type CombatStatistics,
  type CombatWarning,
  type Covariates,
  type DataMatrix,
  type DesignOptions,
  type EncodedRows,
} from '@combat/core';
import { checkFitBatches } from '@combat/core/internal';
import { TableEncoder, tableMatrix, type Table } from '@combat/io-arrow';
import { tableFormat } from '@combat/io-arrow/node';
import type { CombatThreads } from '@combat/threads';
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
  // The features read as numbers as the rows are split: a chunk in flight holds their values, not a string per cell.
  for await (const chunk of paired.file.chunks({ numbers: features })) {
    const matrix = tableMatrix(chunk, features, { idColumn: paired.idColumn });
    await inRowsAsync({ ...context, table: chunk }, async () => visit(chunk, matrix, sliceRows(encoded, chunk.firstRow ?? 0, chunk.rows)));
  }
}

/**
 * Rows `first` to `first + count` (exclusive) of encoded rows (of one row or more), copied: a
 * view would take the covariates of every row along to each worker.
 */
export function sliceRows(rows: EncodedRows, first: number, count: number): EncodedRows {
  const q = rows.covariates.length / rows.samples;
  return { samples: count, batch: rows.batch.slice(first, first + count), covariates: rows.covariates.slice(first * q, (first + count) * q) };
}

/**
 * The statistics of the data's rows in one pass over its chunks (the fit pass of `harmonize`, and
 * all of `fit-partial`): the design coded from the covariates of every row (levels, ranges, the
 * splines' knots) and, with `fit`, the batches checked for a fit (the reference batch among them);
 * then each chunk's feature columns accumulated. `scan` sees every chunk and its matrix (an Arrow
 * output learns its column types; a report keeps the data). Errors of the library in the
 * command's words (file, row, column); the missing cells are counted, for the summary.
 */
export async function accumulateChunks(
  paired: PairedTables,
  features: readonly string[],
  covariates: Covariates,
  options: { splines?: DesignOptions['splines']; fit?: { refBatch: string | null }; scan?: (chunk: Table, matrix: DataMatrix) => void },
  context: ChunkContext,
  threads: CombatThreads,
): Promise<{ statistics: CombatStatistics; encoded: EncodedRows; missingCells: number }> {
  const { splines, fit, scan } = options;
  const { coding, encoded } = inRows({ ...context, table: paired.data }, () => {
    const design = codeDesign(covariates, splines === undefined ? {} : { splines });
    if (fit !== undefined) checkFitBatches(covariates.batch, fit.refBatch);
    return { coding: design, encoded: encodeCovariates(design, covariates) };
  });
  // Each chunk's statistics on the threads, merged in file order (the same for any number of threads).
  let statistics: CombatStatistics | null = null;
  let missingCells = 0;
  await eachChunk(paired, features, encoded, context, async (chunk, matrix, rows) => {
    scan?.(chunk, matrix);
    const chunkStatistics = await threads.accumulateEncoded(coding, matrix, rows);
    statistics = statistics === null ? chunkStatistics : mergeStatistics(statistics, chunkStatistics);
    missingCells += countMissing(matrix);
  });
  // No chunk (no rows): the statistics of nothing, which the library then refuses in its words.
  return { statistics: statistics ?? new CombatAccumulator(coding, features.length).statistics(), encoded, missingCells };
}

/**
 * The fit of `harmonize` (core's `harmonize` up to its model): the statistics of every row
 * ({@link accumulateChunks}), then the model finalized. The same model as `harmonize` of the whole
 * table when it is one chunk; otherwise the statistics are the merge of the chunks', equal to
 * rounding.
 */
export async function fitChunks(
  paired: PairedTables,
  features: readonly string[],
  covariates: Covariates,
  options: CombatOptions,
  context: ChunkContext,
  scan: (chunk: Table, matrix: DataMatrix) => void,
  threads: CombatThreads,
): Promise<{ model: CombatModel; warnings: CombatWarning[]; encoded: EncodedRows; missingCells: number }> {
  const { splines, ...fitOptions } = options;
  const { statistics, encoded, missingCells } = await accumulateChunks(paired, features, covariates, { ...(splines === undefined ? {} : { splines }), fit: { refBatch: options.refBatch ?? null }, scan }, context, threads);
  const { model, warnings } = inRows({ ...context, table: paired.data }, () => finalizeModel(statistics, fitOptions));
  return { model, warnings, encoded, missingCells };
}

/**
 * The adjust pass: each chunk's features adjusted with the model (core's `applyEncoded`, on the
 * threads), shown to `keep` when given, and written to `path` as it goes, every column in order
 * (see `TableEncoder`), through the plan's temporary file; returns the missing cells seen.
 * `encoder` is the one that scanned the chunks before, for an Arrow output.
 */
export async function adjustChunks(
  paired: PairedTables,
  features: readonly string[],
  model: CombatModel,
  encoded: EncodedRows,
  context: ChunkContext,
  output: { plan: OutputPlan; path: string; encoder: TableEncoder },
  threads: CombatThreads,
  keep?: (chunk: Table, adjusted: Float64Array) => void,
): Promise<number> {
  const { plan, path, encoder } = output;
  const writer = await plan.open(path);
  let missingCells = 0;
  await eachChunk(paired, features, encoded, context, async (chunk, matrix, rows) => {
    missingCells += countMissing(matrix);
    // The threads split a ComBat model's features, and a CovBat model's rows (it adjusts every feature of a sample at once).
    const adjusted = await threads.applyEncoded(model, matrix, rows);
    keep?.(chunk, adjusted);
    await writer.write(encoder.encode(chunk, featureMap(features, adjusted)));
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
 * Splits a sample-major matrix into named columns: views of one feature-major copy.
 */
export function featureMap(features: readonly string[], data: Float64Array): Map<string, Float64Array> {
  const V = features.length;
  const n = V === 0 ? 0 : data.length / V;
  const columns = new Float64Array(data.length);
  for (let i = 0; i < n; i++) for (let v = 0; v < V; v++) columns[v * n + i] = data[i * V + v] as number;
  return new Map(features.map((name, v) => [name, columns.subarray(v * n, (v + 1) * n)]));
}

/**
 * The number of missing (NaN) cells of a matrix.
 */
export function countMissing(matrix: DataMatrix): number {
  const { data } = matrix;
  let missing = 0;
  for (let k = 0; k < data.length; k++) if (Number.isNaN(data[k])) missing++;
  return missing;
}
