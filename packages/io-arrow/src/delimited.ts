import Papa from 'papaparse';
import { checkBytes, checkOneOf, checkOptionalString, checkOptions, checkString, refuseArgument } from '@combat/base/internal';
import { checkReplaced, checkTable } from './arguments.js';
import {
  RowSplitter,
  checkHeader,
  checkRowLengths,
  countLineFeeds,
  dropByteOrderMarks,
  firstInvalidByte,
  invalidTextError,
  nulByteError,
  nulCharacterError,
  textEncoding,
  textTooLongError,
  validText,
} from './delimited-rows.js';
import { NumberColumn, RowColumn } from './row-column.js';
import { DEFAULT_SOURCE, textColumn, type Column, type Table } from './table.js';

/**
 * Parses CSV or TSV text (a header row, then one row per record) with papaparse, with the
 * delimiter given (never guessed). Line endings may be `\n`, `\r\n` or `\r`, even mixed; empty
 * lines are skipped. Every row must have as many cells as the header; header names must be unique
 * and not blank; a header of one column that contains another separator (`;`, a tab, a comma) is
 * refused as a file of that kind; the text must not hold NUL characters. Missing markers (an
 * empty cell, `NA`, `NaN`) become null cells, and a column is numeric when every other cell is a
 * number. `options.source` names the text in messages and becomes the table's `source` (default
 * `'table'`); `options.delimiter` is `','` (the default) or `'\t'`.
 *
 * @throws {@link TableFormatError} when the text is not a table: a ragged row, a blank or repeated
 * column name, an unterminated quote, a NUL character, or another separator than the delimiter.
 * @throws {@link InvalidArgumentError} when an argument is not of its type.
 * @example
 * ```ts
 * const small = parseDelimited('subject,site,age\ns1,A,61\ns2,B,NA\n', { source: 'covariates.csv' });
 * small.columns.get('age')?.numbers; // Float64Array.of(61, NaN)
 * parseDelimited('subject;site\ns1;A\n', { source: 'semicolons.csv' });
 * // throws TableFormatError: semicolons.csv: looks semicolon-separated (a header of 1 column containing ";")
 * ```
 */
export function parseDelimited(text: string, options: { source?: string; delimiter?: ',' | '\t' } = {}): Table {
  checkString(text, 'parseDelimited: text');
  const given = checkOptions(options, 'parseDelimited: options');
  const source = checkOptionalString(given.source, 'parseDelimited: options.source') ?? DEFAULT_SOURCE;
  const delimiter = checkOneOf(given.delimiter ?? ',', 'parseDelimited: options.delimiter', [',', '\t'] as const);
  const nul = text.indexOf('\0');
  if (nul >= 0) throw nulCharacterError(source, countLineFeeds(text, nul) + 1);
  const [first, ...rows] = new RowSplitter(delimiter, source).push(dropByteOrderMarks(text).replace(/\r\n?/g, '\n'), true);
  const header = checkHeader(first, delimiter, source);
  checkRowLengths(rows, header.length, 0, source);
  return {
    source,
    names: header,
    rows: rows.length,
    columns: new Map(header.map((name, k) => [name, textColumn(name, rows.map((row) => row[k] as string))])),
  };
}

/**
 * The text of a CSV or TSV file: UTF-8 (a byte-order mark is dropped), or UTF-16 little- or
 * big-endian when a byte-order mark says so. Bytes that are not valid in that encoding are an
 * error naming where they are (latin-1 or Windows-1252 text is not guessed at), as is a NUL byte
 * without a byte-order mark (UTF-16 is not guessed at either); UTF-32 is refused, and so is valid
 * text longer than one JavaScript string holds (read it in chunks with `openTable`).
 * `options.source` names the bytes in messages (default `'table'`).
 *
 * @throws {@link TableFormatError} when the bytes are not text in one of those encodings, or too
 * long for one string.
 * @throws {@link InvalidArgumentError} when `bytes` is not a Uint8Array or `options.source` not a string.
 * @example
 * ```ts
 * const bytes = Uint8Array.of(0xef, 0xbb, 0xbf, ...new TextEncoder().encode('site\nA\n'));
 * decodeTableText(bytes, { source: 'sites.csv' }); // 'site\nA\n'
 * // 0xf6 is "ö" in latin-1, and no UTF-8 byte:
 * decodeTableText(Uint8Array.of(0x73, 0x0a, 0xf6, 0x0a), { source: 'latin1.csv' });
 * // throws TableFormatError: latin1.csv: not valid UTF-8 at byte offset 2 (line 2)
 * ```
 */
export function decodeTableText(bytes: Uint8Array, options: { source?: string } = {}): string {
  checkBytes(bytes, 'decodeTableText: bytes');
  const source = checkOptionalString(checkOptions(options, 'decodeTableText: options').source, 'decodeTableText: options.source') ?? DEFAULT_SOURCE;
  const [encoding, start] = textEncoding(bytes, source);
  const body = bytes.subarray(start);
  const nul = start === 0 ? bytes.indexOf(0) : -1;
  if (nul >= 0) throw nulByteError(source, nul, countLineFeeds(bytes, nul) + 1);
  try {
    return new TextDecoder(encoding, { fatal: true, ignoreBOM: true }).decode(body);
  } catch {
    if (validText(body, encoding)) throw textTooLongError(source, bytes.length);
    const offset = start + firstInvalidByte(body, encoding);
    throw invalidTextError(source, encoding, offset, encoding === 'utf-8' ? countLineFeeds(bytes, offset) + 1 : null);
  }
}

/**
 * Formats a table as CSV or TSV: every column in order, replaced columns as numbers in shortest
 * round-trip form (an empty cell where NaN), other columns exactly as they were read; in a table
 * of one column an empty cell is written `""`, so that the row is not read back as a blank line.
 * `options.delimiter` is `','` (the default) or `'\t'`.
 *
 * @throws {@link InvalidArgumentError} when `table` is not a table, a replaced column is not a
 * Float64Array of one value per row, or the delimiter is neither.
 * @example
 * ```ts
 * const small = tableFromColumns({ site: ['A', 'B'], x: ['1.50', '2'] });
 * formatDelimited(small, new Map()); // 'site,x\nA,1.50\nB,2\n'
 * formatDelimited(small, new Map([['x', Float64Array.of(0.1 + 0.2, NaN)]]), { delimiter: '\t' }); // 'site\tx\nA\t0.30000000000000004\nB\t\n'
 * ```
 */
export function formatDelimited(table: Table, replaced: ReadonlyMap<string, Float64Array>, options: { delimiter?: ',' | '\t' } = {}): string {
  checkTable(table, 'formatDelimited: table');
  checkReplaced(replaced, table.rows, 'formatDelimited');
  const delimiter = checkOneOf(checkOptions(options, 'formatDelimited: options').delimiter ?? ',', 'formatDelimited: options.delimiter', [',', '\t'] as const);
  return formatRows(table, replaced, delimiter, true);
}

/**
 * The rows of a table as CSV or TSV text, each ending in `\n`, after the header row when
 * `header` (what {@link formatDelimited} writes; its arguments checked): chunks of one table
 * formatted in turn, the first with its header, make the text of the whole table.
 */
export function formatRows(table: Table, replaced: ReadonlyMap<string, Float64Array>, delimiter: ',' | '\t', header: boolean): string {
  // A lone empty cell would be an empty line, which readers skip: quote it ("").
  const config = { delimiter, newline: '\n', quotes: (value: unknown): boolean => table.names.length === 1 && value === '' };
  const sources = table.names.map((name) => replaced.get(name) ?? written(table, name));
  const rows = table.names.length > 1 ? sharedRows(sources) : null;
  if (rows === null) {
    const columns = sources.map((source) => (source instanceof Float64Array ? Array.from(source, numberCell) : (source?.raw ?? source?.cells.map((cell) => cell ?? '') ?? [])));
    const lines = Array.from({ length: table.rows }, (_, r) => columns.map((c) => c[r] ?? ''));
    if (header) lines.unshift(table.names as string[]);
    return lines.length === 0 ? '' : `${Papa.unparse(lines, config)}\n`;
  }
  // Columns of a chunk's rows, in a table of two columns or more: row by row, each line joined
  // from its cells; a number never needs quotes, a cell of text only when papaparse would add them.
  const plain = new RegExp(`^(?! )[^\\r\\n"\\uFEFF${delimiter}]*(?<! )$`);
  const quoted = (cell: string): string => (plain.test(cell) ? cell : Papa.unparse([[cell]], config));
  const lines = header ? [Papa.unparse([table.names as string[]], config)] : [];
  const cells = new Array<string>(sources.length);
  for (let r = 0; r < table.rows; r++) {
    const row = rows[r] as readonly string[];
    sources.forEach((source, k) => {
      cells[k] = source instanceof Float64Array ? numberCell(source[r] as number) : quoted(row[(source as RowColumn).index] as string);
    });
    lines.push(cells.join(delimiter));
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

/** A replaced value as a cell: shortest round-trip form, empty where NaN. */
function numberCell(x: number): string {
  return Number.isNaN(x) ? '' : String(x);
}

/** The rows the columns that are not replaced share, when every one is a {@link RowColumn} of one chunk (else null). */
function sharedRows(sources: readonly (Float64Array | Column | undefined)[]): readonly (readonly string[])[] | null {
  const columns = sources.filter((source) => !(source instanceof Float64Array));
  const first = columns[0];
  if (!(first instanceof RowColumn) || !columns.every((column) => column instanceof RowColumn && column.rows === first.rows)) return null;
  return first.rows;
}

/**
 * A column written as read: its text. A column of a chunk read as numbers (`chunks({ numbers })`)
 * has none left (`1.50`, `-0`, `NA` would come out as `1.5`, `0`, an empty cell): writing it
 * without a replacement is refused.
 */
function written(table: Table, name: string): Column | undefined {
  const column = table.columns.get(name);
  if (column instanceof NumberColumn) {
    refuseArgument(`the column "${name}" of ${table.source}`, 'a column with its text, or a replacement (it was read as numbers, chunks({ numbers }), which keeps no text)', 'a column read as numbers');
  }
  return column;
}
