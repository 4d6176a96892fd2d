import Papa from 'papaparse';
import { checkBytes, checkOneOf, checkOptionalString, checkOptions, checkString } from '@combat/base/internal';
import { checkReplaced, checkTable } from './arguments.js';
import { TableFormatError } from './errors.js';
import { DEFAULT_SOURCE, checkColumnNames, textColumn, type Table } from './table.js';

/** Separators a header of one column may betray, with what to do, by the delimiter read with. */
const FOREIGN_SEPARATORS: Readonly<Record<',' | '\t', readonly (readonly [string, string, string])[]>> = {
  ',': [
    [';', 'semicolon', 'save it comma-separated, or tab-separated as .tsv'],
    ['\t', 'tab', 'name it .tsv, or save it comma-separated'],
  ],
  '\t': [
    [',', 'comma', 'name it .csv, or save it tab-separated'],
    [';', 'semicolon', 'save it tab-separated, or comma-separated as .csv'],
  ],
};

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
  if (nul >= 0) {
    throw new TableFormatError(`${source}: line ${lineOf(text, nul)} holds a NUL character, which text tables do not; is it UTF-16 without a byte-order mark, or not a text table? save it as UTF-8`);
  }
  const [header, ...rows] = splitRows(text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n'), delimiter, source);
  if (header === undefined) throw new TableFormatError(`${source}: empty; expected a header row`);
  if (header.length === 1) {
    for (const [separator, name, remedy] of FOREIGN_SEPARATORS[delimiter]) {
      if ((header[0] as string).includes(separator)) {
        throw new TableFormatError(`${source}: looks ${name}-separated (a header of 1 column containing ${JSON.stringify(separator)}); ${remedy}`);
      }
    }
  }
  checkColumnNames(header, source);
  rows.forEach((row, r) => {
    if (row.length !== header.length) {
      throw new TableFormatError(`${source}: row ${r + 1} has ${row.length} cells; the header has ${header.length}`);
    }
  });
  return {
    source,
    names: header,
    rows: rows.length,
    columns: new Map(header.map((name, k) => [name, textColumn(name, rows.map((row) => row[k] as string))])),
  };
}

/**
 * The rows of delimited text (`\n` line ends), blank lines skipped; a line `""` is a row of one
 * empty cell, not a blank line (papaparse's own skipping cannot tell them apart).
 */
function splitRows(text: string, delimiter: string, source: string): string[][] {
  const rows: string[][] = [];
  let cursor = 0;
  Papa.parse<string[]>(text, {
    delimiter,
    newline: '\n',
    step: (result) => {
      const start = cursor;
      cursor = result.meta.cursor;
      const fatal = result.errors.find((e) => e.type === 'Quotes');
      if (fatal !== undefined) throw new TableFormatError(`${source}: ${rows.length === 0 ? 'the header' : `row ${rows.length}`}: ${fatal.message}`);
      if (result.data.length === 1 && result.data[0] === '' && !text.slice(start, cursor).includes('"')) return;
      rows.push(result.data);
    },
  });
  return rows;
}

/**
 * The text of a CSV or TSV file: UTF-8 (a byte-order mark is dropped), or UTF-16 little- or
 * big-endian when a byte-order mark says so. Bytes that are not valid in that encoding are an
 * error naming where they are (latin-1 or Windows-1252 text is not guessed at), as is a NUL byte
 * without a byte-order mark (UTF-16 is not guessed at either); UTF-32 is refused.
 * `options.source` names the bytes in messages (default `'table'`).
 *
 * @throws {@link TableFormatError} when the bytes are not text in one of those encodings.
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
  const [b0, b1, b2, b3] = bytes;
  if ((b0 === 0xff && b1 === 0xfe && b2 === 0 && b3 === 0) || (b0 === 0 && b1 === 0 && b2 === 0xfe && b3 === 0xff)) {
    throw new TableFormatError(`${source}: UTF-32 text (its byte-order mark says so); save it as UTF-8`);
  }
  const [encoding, start] =
    b0 === 0xef && b1 === 0xbb && b2 === 0xbf ? ['utf-8', 3] : b0 === 0xff && b1 === 0xfe ? ['utf-16le', 2] : b0 === 0xfe && b1 === 0xff ? ['utf-16be', 2] : ['utf-8', 0];
  const body = bytes.subarray(start);
  const nul = start === 0 ? bytes.indexOf(0) : -1;
  if (nul >= 0) {
    throw new TableFormatError(`${source}: a NUL byte at byte offset ${nul} (line ${lineOf(bytes, nul)}), which text does not hold; is it UTF-16 without a byte-order mark, or not a text table? save it as UTF-8`);
  }
  try {
    return new TextDecoder(encoding, { fatal: true, ignoreBOM: true }).decode(body);
  } catch {
    const offset = start + firstInvalidByte(body, encoding);
    const line = encoding === 'utf-8' ? ` (line ${lineOf(bytes, offset)})` : '';
    throw new TableFormatError(`${source}: not valid ${encoding.toUpperCase()} at byte offset ${offset}${line}; save the file as UTF-8 (other encodings, such as latin-1, are not guessed at)`);
  }
}

/** Offset of the first byte where a fatal decoder fails (the length when the text stops mid-character). */
function firstInvalidByte(bytes: Uint8Array, encoding: string): number {
  const CHUNK = 1 << 16;
  const decoder = new TextDecoder(encoding, { fatal: true, ignoreBOM: true });
  let chunk = 0;
  try {
    for (; chunk < bytes.length; chunk += CHUNK) decoder.decode(bytes.subarray(chunk, chunk + CHUNK), { stream: true });
    decoder.decode();
    return bytes.length;
  } catch {
    // Replay up to the chunk that failed, then byte by byte.
    const replay = new TextDecoder(encoding, { fatal: true, ignoreBOM: true });
    replay.decode(bytes.subarray(0, chunk), { stream: true });
    for (let i = chunk; i < Math.min(bytes.length, chunk + CHUNK); i++) {
      try {
        replay.decode(bytes.subarray(i, i + 1), { stream: true });
      } catch {
        return i;
      }
    }
    return bytes.length;
  }
}

/** 1-based line of a position in text or UTF-8 bytes. */
function lineOf(text: string | Uint8Array, position: number): number {
  let line = 1;
  for (let i = 0; i < position; i++) if (typeof text === 'string' ? text.charCodeAt(i) === 10 : text[i] === 10) line++;
  return line;
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
  const columns = table.names.map((name) => {
    const numbers = replaced.get(name);
    if (numbers !== undefined) return Array.from(numbers, (x) => (Number.isNaN(x) ? '' : String(x)));
    const column = table.columns.get(name);
    return column?.raw ?? column?.cells.map((cell) => cell ?? '') ?? [];
  });
  const rows = Array.from({ length: table.rows }, (_, r) => columns.map((c) => c[r] ?? ''));
  // A lone empty cell would be an empty line, which readers skip: quote it ("").
  const quotes = (value: unknown): boolean => table.names.length === 1 && value === '';
  return `${Papa.unparse([table.names as string[], ...rows], { delimiter, newline: '\n', quotes })}\n`;
}
