/**
 * File-system helpers of @combat/io-arrow, for Node: tables and model files by path, written
 * whole or not at all and never over an input.
 */
import { randomBytes } from 'node:crypto';
import { readFile, realpath, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { ModelFormatError, type CombatModel } from '@combat/core';
import { decodeArrowTable, encodeArrowTable } from './arrow-table.js';
import { checkString } from './arguments.js';
import { decodeTableText, formatDelimited, parseDelimited } from './delimited.js';
import { TableFormatError } from './errors.js';
import { decodeModelFile, encodeModelFile, type ModelFileExtras } from './model-file.js';
import type { Table } from './table.js';

/**
 * The table formats, by file extension.
 *
 * @example
 * ```ts
 * tableFormat('regions.feather'); // 'arrow'
 * ```
 */
export function tableFormat(path: string): 'csv' | 'tsv' | 'arrow' {
  checkString(path, 'tableFormat: path');
  const extension = extname(path).toLowerCase();
  if (extension === '.csv') return 'csv';
  if (extension === '.tsv') return 'tsv';
  if (extension === '.arrow' || extension === '.feather' || extension === '.ipc' || extension === '.arrows') return 'arrow';
  throw new TableFormatError(`${path}: unknown table extension "${extension}"; expected .csv, .tsv, .arrow or .feather`);
}

/**
 * Reads a table by extension: `.csv`, `.tsv` (UTF-8, or UTF-16 with a byte-order mark; see
 * `decodeTableText`), `.arrow`/`.feather` (IPC file or stream, LZ4/ZSTD).
 *
 * @example
 * ```ts
 * const table = await readTable('regional-volumes.csv');
 * ```
 */
export async function readTable(path: string): Promise<Table> {
  checkString(path, 'readTable: path');
  const format = tableFormat(path);
  const bytes = await readInput(path);
  if (format === 'arrow') return decodeArrowTable(bytes, path);
  return parseDelimited(decodeTableText(bytes, path), { source: path, delimiter: format === 'tsv' ? '\t' : ',' });
}

/**
 * Writes a table by extension, every column in order with `replaced` columns as float64.
 *
 * @example
 * ```ts
 * await writeTable('harmonized.csv', table, new Map([['f000', column]]), { protect: ['input.csv'] });
 * ```
 */
export async function writeTable(path: string, table: Table, replaced: ReadonlyMap<string, Float64Array>, options: { protect?: readonly string[] } = {}): Promise<void> {
  await writeAtomically(path, encodeTableFile(path, table, replaced), [...(options.protect ?? []), table.source]);
}

/**
 * The bytes {@link writeTable} writes for a path: the format by extension, every column in order
 * with `replaced` columns as float64.
 *
 * @example
 * ```ts
 * const bytes = encodeTableFile('harmonized.feather', table, new Map([['f000', column]]));
 * ```
 */
export function encodeTableFile(path: string, table: Table, replaced: ReadonlyMap<string, Float64Array>): Uint8Array {
  const format = tableFormat(path);
  return format === 'arrow' ? encodeArrowTable(table, replaced) : new TextEncoder().encode(formatDelimited(table, replaced, format === 'tsv' ? '\t' : ','));
}

/**
 * Reads a model file written by {@link writeModel}. A file that cannot be read, or that is not a
 * valid model file (see `decodeModelFile`), is a `ModelFormatError` whose message starts with the
 * path.
 *
 * @example
 * ```ts
 * const { model, featureNames, columns } = await readModel('model.arrow');
 * ```
 */
export async function readModel(path: string): Promise<{ model: CombatModel } & ModelFileExtras> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new ModelFormatError(`${path}: cannot be read: ${(error as Error).message}`);
  }
  return decodeModelFile(bytes, path);
}

/**
 * Writes a model file (an Arrow IPC file; see `encodeModelFile`).
 *
 * @example
 * ```ts
 * await writeModel('model.arrow', model, { featureNames, columns: { batchCol: 'site' } }, { protect: inputs });
 * ```
 */
export async function writeModel(path: string, model: CombatModel, extras: ModelFileExtras, options: { protect?: readonly string[] } = {}): Promise<void> {
  await writeAtomically(path, encodeModelFile(model, extras, { target: path }), options.protect ?? []);
}

/**
 * Writes bytes to a temporary file beside `path` and renames it into place; refuses when `path`
 * is one of `protect` (after resolving links).
 *
 * @example
 * ```ts
 * await writeAtomically('out/report.html', bytes, ['in/data.csv']);
 * ```
 */
export async function writeAtomically(path: string, bytes: Uint8Array, protect: readonly string[]): Promise<void> {
  const target = await canonical(path);
  for (const input of protect) {
    if ((await canonical(input)) === target) throw new TableFormatError(`refusing to write ${path}: it is an input (${input}); choose another output path`);
  }
  const temporary = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temporary, bytes);
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

async function readInput(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new TableFormatError(`${path}: cannot be read: ${(error as Error).message}`);
  }
}

/** The absolute path with links resolved (for a path that does not exist yet, its folder's). */
async function canonical(path: string): Promise<string> {
  const absolute = resolve(path);
  try {
    return await realpath(absolute);
  } catch {
    try {
      return join(await realpath(dirname(absolute)), basename(absolute));
    } catch {
      return absolute;
    }
  }
}
