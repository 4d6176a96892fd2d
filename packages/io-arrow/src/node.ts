/**
 * File-system helpers of @combat/io-arrow, for Node: tables, model files and statistics files by
 * path, written whole or not at all and never over an input.
 */
import { readFile } from 'node:fs/promises';
import { InputReadError } from '@combat/base';
import { checkOptions, checkString } from '@combat/base/internal';
import { writeFileAtomically } from '@combat/base/node';
import type { CombatModel, CombatStatistics } from '@combat/core';
import { decodeArrowTable, encodeArrowTable } from './arrow-table.js';
import { decodeTableText, formatDelimited, parseDelimited } from './delimited.js';
import { decodeModelFile, encodeModelFile, type DecodedModelFile, type ModelFileExtras } from './model-file.js';
import { decodeStatisticsFile, encodeStatisticsFile } from './statistics-file.js';
import type { Table } from './table.js';
import { tableFormat } from './table-format.js';

export { openTable, type TableChunks } from './table-chunks.js';
export { tableFormat } from './table-format.js';

/**
 * Reads a table by extension: `.csv`, `.tsv` (UTF-8, or UTF-16 with a byte-order mark; see
 * {@link decodeTableText}), `.arrow`/`.feather` (IPC file or stream, LZ4/ZSTD; see
 * {@link decodeArrowTable}). The table's `source` is the path.
 *
 * @throws {@link InputReadError} when the file cannot be read (it does not exist, it is a folder,
 * permission is denied...).
 * @throws {@link TableFormatError} when its content is not a table, or is text too long to read
 * whole (more than one JavaScript string holds: {@link openTable} reads it in chunks).
 * @throws {@link InvalidArgumentError} when `path` is not a string or its extension is not a
 * table's (see {@link tableFormat}).
 * @example
 * ```ts
 * const table = await readTable('data.csv');
 * [table.source, table.rows, table.names.length]; // ['data.csv', 8, 7]
 * await readTable('missing.csv');
 * // throws InputReadError: missing.csv: cannot be read: ENOENT
 * ```
 */
export async function readTable(path: string): Promise<Table> {
  checkString(path, 'readTable: path');
  const format = tableFormat(path);
  const bytes = await readInput(path);
  if (format === 'arrow') return decodeArrowTable(bytes, { source: path });
  return parseDelimited(decodeTableText(bytes, { source: path }), { source: path, delimiter: format === 'tsv' ? '\t' : ',' });
}

/**
 * Writes a table by extension (see {@link encodeTableFile}), whole or not at all (a temporary
 * file renamed into place), and never over the table's own source or a path of `options.protect`.
 *
 * @throws {@link InputOverwriteError} when `path` is the table's source or one of `options.protect`.
 * @throws {@link InvalidArgumentError} when the extension is not a table's, or an argument is not of its type.
 * @example
 * ```ts
 * await writeTable('harmonized.csv', table, new Map([['lh_x', new Float64Array(8).fill(2)]]), { protect: ['covariates.csv'] });
 * (await readTable('harmonized.csv')).columns.get('lh_x')?.numbers?.[7]; // 2
 * await writeTable('data.csv', table, new Map());
 * // throws InputOverwriteError: refusing to write data.csv: it is an input (data.csv)
 * ```
 */
export async function writeTable(path: string, table: Table, replaced: ReadonlyMap<string, Float64Array>, options: { protect?: readonly string[] } = {}): Promise<void> {
  const { protect = [] } = checkOptions(options, 'writeTable: options');
  const bytes = encodeTableFile(path, table, replaced);
  // writeFileAtomically checks `protect`: a value that is not a list goes to it as given.
  const inputs = Array.isArray(protect) ? [...(protect as unknown[]), table.source] : protect;
  await writeFileAtomically(path, bytes, { protect: inputs as readonly string[] });
}

/**
 * The bytes {@link writeTable} writes for a path: the format by extension, every column in order
 * with `replaced` columns as float64 (see {@link formatDelimited} and {@link encodeArrowTable}).
 *
 * @throws {@link InvalidArgumentError} when the extension is not a table's, or an argument is not of its type.
 * @example
 * ```ts
 * const bytes = encodeTableFile('harmonized.tsv', table, new Map());
 * new TextDecoder().decode(bytes).split('\n')[0]; // 'subject\tsite\tsex\tage\tlh_x\tlh_y\trh_x'
 * ```
 */
export function encodeTableFile(path: string, table: Table, replaced: ReadonlyMap<string, Float64Array>): Uint8Array {
  const format = tableFormat(path);
  return format === 'arrow' ? encodeArrowTable(table, replaced) : new TextEncoder().encode(formatDelimited(table, replaced, { delimiter: format === 'tsv' ? '\t' : ',' }));
}

/**
 * Reads a model file written by {@link writeModel} or {@link encodeModelFile}. A file that is not
 * a valid model file (see {@link decodeModelFile}) is a `ModelFormatError` whose message starts
 * with the path.
 *
 * @throws {@link InputReadError} when the file cannot be read (it does not exist, it is a folder,
 * permission is denied...).
 * @throws {@link ModelFormatError} when it is not a valid model file.
 * @throws {@link InvalidArgumentError} when `path` is not a string.
 * @example
 * ```ts
 * const { model, featureNames, columns, idColumn } = await readModel('model.arrow');
 * [model.features, featureNames, columns, idColumn]; // [3, ['lh_x', 'lh_y', 'rh_x'], { batch: 'site', categorical: ['sex'], continuous: ['age'] }, 'subject']
 * ```
 */
export async function readModel(path: string): Promise<DecodedModelFile> {
  return readDecoded(path, 'readModel', decodeModelFile);
}

/**
 * Writes a model file (an Arrow IPC file; see {@link encodeModelFile}), whole or not at all, and
 * never over a path of `options.protect`.
 *
 * @throws {@link ModelFormatError} when the model or the extras cannot make a valid model file.
 * @throws {@link InputOverwriteError} when `path` is one of `options.protect`.
 * @throws {@link InvalidArgumentError} when an argument is not of its type.
 * @example
 * ```ts
 * const extras = { featureNames: ['lh_x', 'lh_y', 'rh_x'], columns: { batch: 'site', continuous: ['age'] } };
 * await writeModel('model-copy.arrow', model, { ...extras, columns: { ...extras.columns, categorical: ['sex'] } }, { protect: ['data.csv'] });
 * [...(await readModel('model-copy.arrow')).model.batches.keys()]; // ['A', 'B']
 * await writeModel('data.csv', model, { featureNames: ['lh_x', 'lh_y', 'rh_x'] }, { protect: ['data.csv'] });
 * // throws InputOverwriteError: refusing to write data.csv
 * ```
 */
export async function writeModel(path: string, model: CombatModel, extras: ModelFileExtras, options: { protect?: readonly string[] } = {}): Promise<void> {
  await writeEncoded(path, 'writeModel', () => encodeModelFile(model, extras, { target: path }), options);
}

/**
 * Reads a statistics file written by {@link writeStatistics} or {@link encodeStatisticsFile}. A
 * file that is not a valid statistics file (see {@link decodeStatisticsFile}) is a
 * `StatisticsFormatError` whose message starts with the path.
 *
 * @throws {@link InputReadError} when the file cannot be read (it does not exist, it is a folder,
 * permission is denied...).
 * @throws {@link StatisticsFormatError} when it is not a valid statistics file (a model file included).
 * @throws {@link InvalidArgumentError} when `path` is not a string.
 * @example
 * ```ts
 * await writeStatistics('site-a.arrow', statistics, { featureNames: ['lh_x', 'lh_y', 'rh_x'], columns: { batch: 'site', categorical: ['sex'], continuous: ['age'] } });
 * const { statistics: read, featureNames } = await readStatistics('site-a.arrow');
 * [read.features, featureNames]; // [3, ['lh_x', 'lh_y', 'rh_x']]
 * await readStatistics('model.arrow');
 * // throws StatisticsFormatError: model.arrow: a ComBat model file, not a statistics file
 * ```
 */
export async function readStatistics(path: string): Promise<{ statistics: CombatStatistics } & ModelFileExtras> {
  return readDecoded(path, 'readStatistics', decodeStatisticsFile);
}

/**
 * Writes a statistics file (an Arrow IPC file; see {@link encodeStatisticsFile}), whole or not at
 * all, and never over a path of `options.protect`.
 *
 * @throws {@link StatisticsFormatError} when the statistics or the extras cannot make a valid statistics file.
 * @throws {@link InputOverwriteError} when `path` is one of `options.protect`.
 * @throws {@link InvalidArgumentError} when an argument is not of its type.
 * @example
 * ```ts
 * await writeStatistics('statistics.arrow', statistics, { featureNames: ['lh_x', 'lh_y', 'rh_x'] }, { protect: ['data.csv'] });
 * (await readStatistics('statistics.arrow')).statistics.batches.map((batch) => batch.batch); // ['A', 'B']
 * await writeStatistics('data.csv', statistics, { featureNames: ['lh_x', 'lh_y', 'rh_x'] }, { protect: ['data.csv'] });
 * // throws InputOverwriteError: refusing to write data.csv
 * ```
 */
export async function writeStatistics(path: string, statistics: CombatStatistics, extras: ModelFileExtras, options: { protect?: readonly string[] } = {}): Promise<void> {
  await writeEncoded(path, 'writeStatistics', () => encodeStatisticsFile(statistics, extras, { target: path }), options);
}

/** A file read whole and decoded, named by its path (`caller` names the path argument in messages). */
async function readDecoded<T>(path: string, caller: string, decode: (bytes: Uint8Array, options: { source: string }) => T): Promise<T> {
  checkString(path, `${caller}: path`);
  return decode(await readInput(path), { source: path });
}

/** The bytes `encode` gives (after the options are checked), written whole or not at all and never over a path of `options.protect`. */
async function writeEncoded(path: string, caller: string, encode: () => Uint8Array, options: { protect?: readonly string[] }): Promise<void> {
  const { protect } = checkOptions(options, `${caller}: options`);
  await writeFileAtomically(path, encode(), { protect: protect as readonly string[] | undefined });
}

/** The bytes of a file, or an InputReadError naming it. */
async function readInput(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new InputReadError(path, error);
  }
}
