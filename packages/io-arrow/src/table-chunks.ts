import { open, type FileHandle } from 'node:fs/promises';
import { InputReadError } from '@combat/base';
import { checkInteger, checkOptions, checkString, checkStrings } from '@combat/base/internal';
import { Data, Vector } from 'apache-arrow';
import { readArrowChunks } from './arrow-chunks.js';
import { arrowColumn, type ArrowColumn } from './arrow-table.js';
import type { ByteSource } from './byte-source.js';
import { readDelimitedChunks } from './delimited-chunks.js';
import { ownText } from './delimited-rows.js';
import { requireColumn, textColumn, type Column, type Table } from './table.js';
import { tableFormat } from './table-format.js';

/** Bytes of text (or of Arrow record batches) a chunk holds by default. */
const CHUNK_BYTES = 2 << 20;

/**
 * A table file opened to be read in chunks of rows, so that a table larger than memory can be
 * used: its `source` (the path), its column `names`, its `header` (a table of its columns with no
 * rows, for checking column names), and its rows by {@link TableChunks.chunks}, each call a new
 * pass over the file.
 *
 * @example
 * ```ts
 * const file = await openTable('data.csv');
 * [file.source, file.names.length, file.header.rows]; // ['data.csv', 7, 0]
 * ```
 */
export interface TableChunks {
  readonly source: string;
  readonly names: readonly string[];
  readonly header: Table;
  /**
   * Reads the file from the start: its rows in chunks, each a {@link Table} of consecutive rows
   * whose `firstRow` says where they start (so messages name the file's rows), holding every
   * column or only `options.columns`; one chunk of no rows when the table has none. The file is
   * closed when the pass ends, or when the loop over it stops early.
   *
   * The columns of a CSV or TSV file that `options.numbers` names are read as numbers as each row
   * is split, without their text, so that a chunk of a wide table holds a number for each of their
   * cells instead of a string (a fifth of the memory): their `numbers` and {@link tableMatrix} are
   * the same, their `cells` are the numbers in shortest round-trip form (null where missing) and
   * they have no `raw` text. A row with a cell that is not a number is kept as text, so that
   * `tableMatrix` names that cell as it does when the text is kept. The chunks are the same
   * either way, but for writing: a column read as numbers can be written only replaced
   * (`TableEncoder` refuses it otherwise), as `1.50`, `-0` or `NA` would not come out as read.
   *
   * @throws {@link TableFormatError} when a chunk is not part of a table (a ragged row, an
   * unterminated quote, a damaged record batch...), or `options.columns` or `options.numbers`
   * names a column the table does not have.
   * @throws {@link InputReadError} when the file cannot be read.
   * @example
   * ```ts
   * const file = await openTable('data.csv', { chunkBytes: 64 });
   * const firstRows: number[] = [];
   * for await (const chunk of file.chunks({ columns: ['subject', 'lh_x'] })) firstRows.push(chunk.firstRow ?? 0);
   * firstRows; // [0, 3, 6]
   * const values: number[] = [];
   * for await (const chunk of file.chunks({ numbers: ['lh_x', 'rh_x'] })) values.push(...tableMatrix(chunk, ['lh_x', 'rh_x']).data);
   * values.slice(0, 4); // [2.1, 1.2, 2.5, 1]
   * ```
   */
  chunks(options?: { columns?: readonly string[]; numbers?: readonly string[] }): AsyncGenerator<Table, void, undefined>;
  /**
   * Every row of some columns, in one pass over the file: a {@link Table} of those columns (in
   * the file's order) read as {@link readTable} reads them, holding nothing of the others.
   *
   * @throws {@link TableFormatError} as {@link TableChunks.chunks} does.
   * @throws {@link InputReadError} when the file cannot be read.
   * @example
   * ```ts
   * const file = await openTable('data.csv', { chunkBytes: 64 });
   * const sites = await file.readColumns(['site', 'subject']);
   * [sites.names, sites.rows, sites.columns.get('site')?.cells[7]]; // [['subject', 'site'], 8, 'B']
   * ```
   */
  readColumns(names: readonly string[]): Promise<Table>;
}

/**
 * Opens a table file (by extension, as {@link readTable} reads it) to read in chunks of about
 * `options.chunkBytes` bytes (2 MiB by default): CSV and TSV a block of text at a time, by the
 * rules and with the messages of {@link readTable} (rows, lines and byte offsets are the file's);
 * Arrow IPC files and streams a record batch at a time (several small ones together), each
 * message checked before it is decoded. Reads the header now: a file that is not a table at all
 * fails here.
 *
 * @throws {@link InputReadError} when the file cannot be read.
 * @throws {@link TableFormatError} when its header or schema is not a table's.
 * @throws {@link InvalidArgumentError} when `path` is not a string, its extension not a table's, or
 * `options.chunkBytes` not a positive integer.
 * @example
 * ```ts
 * const file = await openTable('data.csv', { chunkBytes: 1 << 20 });
 * file.names; // ['subject', 'site', 'sex', 'age', 'lh_x', 'lh_y', 'rh_x']
 * await openTable('missing.csv');
 * // throws InputReadError: missing.csv: cannot be read: ENOENT
 * ```
 */
export async function openTable(path: string, options: { chunkBytes?: number } = {}): Promise<TableChunks> {
  checkString(path, 'openTable: path');
  const format = tableFormat(path);
  const chunkBytes = checkInteger(checkOptions(options, 'openTable: options').chunkBytes ?? CHUNK_BYTES, 'openTable: options.chunkBytes', 1);
  const pass = async function* (columns?: readonly string[], numbers?: readonly string[]): AsyncGenerator<Table, void, undefined> {
    const handle = await openInput(path);
    try {
      // The text reader is done with a block before it reads the next; Arrow's reader keeps what it is given.
      const bytes = await fileBytes(handle, path, format !== 'arrow');
      const chunkOptions = { source: path, chunkBytes, ...(columns === undefined ? {} : { columns }), ...(numbers === undefined ? {} : { numbers }) };
      yield* format === 'arrow' ? readArrowChunks(bytes, chunkOptions) : readDelimitedChunks(bytes, format === 'tsv' ? '\t' : ',', chunkOptions);
    } finally {
      await handle.close();
    }
  };
  const first = pass();
  const header = (await first.next()).value as Table;
  await first.return();
  const chunks = async function* (given: { columns?: readonly string[]; numbers?: readonly string[] } = {}): AsyncGenerator<Table, void, undefined> {
    const { columns, numbers } = checkOptions(given, 'chunks: options');
    if (columns !== undefined) checkStrings(columns, 'chunks: options.columns').forEach((name) => requireColumn(header, name));
    if (numbers !== undefined) checkStrings(numbers, 'chunks: options.numbers').forEach((name) => requireColumn(header, name));
    const rows = pass(columns as readonly string[] | undefined, numbers as readonly string[] | undefined);
    await rows.next();
    yield* rows;
  };
  return {
    source: path,
    names: header.names,
    header,
    chunks,
    async readColumns(names) {
      const parts = new Map<string, (readonly string[] | Vector)[]>(checkStrings(names, 'readColumns: names').map((name) => [requireColumn(header, name).name, []]));
      let rows = 0;
      for await (const chunk of chunks({ columns: [...parts.keys()] })) {
        for (const [name, column] of chunk.columns) parts.get(name)?.push(ownPart(column));
        rows += chunk.rows;
      }
      const kept = header.names.filter((name) => parts.has(name));
      return { source: path, names: kept, rows, columns: new Map(kept.map((name) => [name, joinParts(name, parts.get(name) as (readonly string[] | Vector)[])])) };
    },
  };
}

/**
 * What a column of a chunk is made of, holding nothing else of the chunk: its text cells (copies of
 * the longer ones: V8 keeps a substring's whole source string alive, here the text of a block) or
 * its Arrow data (copies of its buffers, which lie in the record batch's message).
 */
function ownPart(column: Column): readonly string[] | Vector {
  if ('vector' in column) return new Vector((column as ArrowColumn).vector.data.map(ownData));
  return (column.raw as readonly string[]).map(ownText);
}

function ownData(data: Data): Data {
  const copy = <T extends { slice(): T }>(buffer: T | undefined): T | undefined => buffer?.slice();
  return new Data(data.type, data.offset, data.length, data.nullCount, [copy(data.valueOffsets), copy(data.values), copy(data.nullBitmap), copy(data.typeIds)], data.children, data.dictionary, data.variadicBuffers.map((buffer) => buffer.slice()));
}

/** A column of a whole table from its parts in consecutive chunks, as a whole read makes it. */
function joinParts(name: string, parts: readonly (readonly string[] | Vector)[]): Column {
  if (parts[0] instanceof Vector) return arrowColumn(name, new Vector(parts.flatMap((part) => (part as Vector).data)));
  return textColumn(name, parts.flatMap((part) => part as readonly string[]));
}

/** A file handle, or an InputReadError naming the path. */
async function openInput(path: string): Promise<FileHandle> {
  try {
    return await open(path, 'r');
  } catch (error) {
    throw new InputReadError(path, error);
  }
}

/**
 * The bytes of an open file, read where they lie, into one buffer used again for every read when
 * `reuse` (else a new one each time); a read that fails is an InputReadError naming the path.
 */
async function fileBytes(handle: FileHandle, path: string, reuse: boolean): Promise<ByteSource> {
  const read = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw new InputReadError(path, error);
    }
  };
  const { size } = await read(() => handle.stat());
  let buffer = new Uint8Array(0);
  return {
    size,
    read: (position, length) =>
      read(async () => {
        const wanted = Math.max(0, Math.min(length, size - position));
        if (!reuse || buffer.length < wanted) buffer = new Uint8Array(wanted);
        let filled = 0;
        while (filled < wanted) {
          const { bytesRead } = await handle.read(buffer, filled, wanted - filled, position + filled);
          if (bytesRead === 0) break;
          filled += bytesRead;
        }
        return buffer.subarray(0, filled);
      }),
  };
}
