/**
 * CSV and TSV read a block at a time into tables of a few megabytes each, by the rules and with
 * the messages of `decodeTableText` and `parseDelimited` (see `delimited-rows.ts`): byte offsets,
 * lines and rows in messages are the file's, not the block's or the chunk's.
 */
import type { ByteSource, ChunkOptions } from './byte-source.js';
import {
  RowSplitter,
  checkHeader,
  checkRowLength,
  countLineFeeds,
  dropByteOrderMarks,
  firstInvalidByte,
  invalidTextError,
  nulByteError,
  nulCharacterError,
  ownText,
  textEncoding,
} from './delimited-rows.js';
import { NumberColumn, RowColumn, cellNumber, type RowNumbers } from './row-column.js';
import type { Column, Table } from './table.js';

/** Bytes read at once (more while a row is longer, so each is parsed about once). */
const BLOCK = 1 << 20;

/**
 * The table of a CSV or TSV file a chunk at a time: first its header (a table of no rows), then its
 * rows in chunks of about `options.chunkBytes` characters of text (one chunk of no rows when it
 * has none), each with `firstRow` and only the `options.columns` asked for.
 *
 * @throws {@link TableFormatError} when the bytes are not a table, as `parseDelimited` and
 * `decodeTableText` say it of the whole file.
 */
export async function* readDelimitedChunks(bytes: ByteSource, delimiter: ',' | '\t', options: ChunkOptions): AsyncGenerator<Table, void, undefined> {
  const { source, chunkBytes } = options;
  const text = new TextPieces(source);
  const splitter = new RowSplitter(delimiter, source);
  let names: string[] | undefined;
  let keep: number[] = [];
  let rows: string[][] = [];
  let parts: RowParts | null = null;
  /** Each row's number of cells, checked against the header's as the chunk is made. */
  let lengths: number[] = [];
  let size = 0;
  let firstRow = 0;
  /** The rows so far as a table of the columns asked for, each column read from the rows when asked. */
  const chunk = (): Table => {
    const header = names as string[];
    lengths.forEach((length, r) => checkRowLength(length, header.length, firstRow + r, source));
    const done = rows;
    const numbers = parts?.take() ?? null;
    const column = (k: number): Column => {
      const name = header[k] as string;
      if (parts === null || numbers === null) return new RowColumn(name, done, k);
      const at = parts.numberAt[k] as number;
      return at >= 0 ? new NumberColumn(name, numbers, at, k) : new RowColumn(name, done, parts.textAt[k] as number);
    };
    const columns = new Map<string, Column>(keep.map((k) => [header[k] as string, column(k)]));
    return { source, names: [...columns.keys()], rows: done.length, columns, firstRow };
  };
  let chunks = 0;
  for (let position = 0, last = false; !last; ) {
    const block = await bytes.read(position, Math.max(BLOCK, 2 * splitter.pending));
    position += block.length;
    last = position >= bytes.size || block.length === 0;
    for (const row of splitter.push(text.decode(block, last), last)) {
      if (names === undefined) {
        names = checkHeader(row, delimiter, source);
        const wanted = new Set(options.columns ?? names);
        keep = names.flatMap((name, k) => (wanted.has(name) ? [k] : []));
        if (options.numbers !== undefined || options.columns !== undefined) parts = new RowParts(names, keep, new Set(options.numbers));
        yield chunk();
        // The header's columns keep the empty rows they were made of.
        rows = [];
        continue;
      }
      lengths.push(row.length);
      // A row of another length than the header's is kept whole: the chunk refuses it.
      rows.push(parts === null || row.length !== names.length ? row : parts.split(row));
      // About the row's characters: its cells and their separators.
      for (const cell of row) size += cell.length + 1;
      if (size < chunkBytes) continue;
      yield chunk();
      [firstRow, rows, lengths, size, chunks] = [firstRow + rows.length, [], [], 0, chunks + 1];
    }
  }
  if (names !== undefined && (rows.length > 0 || chunks === 0)) yield chunk();
  if (names === undefined) checkHeader(undefined, delimiter, source);
}

/**
 * The rows of a chunk read with `ChunkOptions.numbers` or `columns`: each row split as it comes into
 * the values of the columns read as numbers and the text of the other columns kept (copied: V8 keeps a long
 * substring's whole source string alive, here the text of a block), so that a chunk in flight
 * holds its numbers, not a string for each cell. A row with a cell that is not a number is also
 * kept whole, for the message that names it.
 */
class RowParts {
  /** For each column of the file, its place among the columns read as numbers (-1: not one). */
  readonly numberAt: Int32Array;
  /** For each column of the file, its place in the text kept of a row (-1: not kept). */
  readonly textAt: Int32Array;
  private readonly numbered: Int32Array;
  private readonly texts: Int32Array;
  private values = new Float64Array(0);
  private rows = 0;
  private invalid = new Map<number, readonly string[]>();

  constructor(names: readonly string[], keep: readonly number[], numbers: ReadonlySet<string>) {
    const numbered = keep.filter((k) => numbers.has(names[k] as string));
    const texts = keep.filter((k) => !numbers.has(names[k] as string));
    this.numbered = Int32Array.from(numbered);
    this.texts = Int32Array.from(texts);
    this.numberAt = new Int32Array(names.length).fill(-1);
    this.textAt = new Int32Array(names.length).fill(-1);
    numbered.forEach((k, j) => (this.numberAt[k] = j));
    texts.forEach((k, j) => (this.textAt[k] = j));
  }

  /** A row of the header's length: its numbers stored, its kept text returned. */
  split(row: readonly string[]): string[] {
    const width = this.numbered.length;
    if (this.values.length < (this.rows + 1) * width) {
      const grown = new Float64Array(2 * (this.rows + 1) * width);
      grown.set(this.values);
      this.values = grown;
    }
    const at = this.rows * width;
    let valid = true;
    for (let j = 0; j < width; j++) {
      const value = cellNumber(row[this.numbered[j] as number] as string);
      valid &&= value !== null;
      this.values[at + j] = value ?? Number.NaN;
    }
    if (!valid) this.invalid.set(this.rows, row);
    this.rows++;
    return Array.from(this.texts, (k) => ownText(row[k] as string));
  }

  /** The numbers of the rows split since the last call. */
  take(): RowNumbers {
    const width = this.numbered.length;
    const used = this.rows * width;
    const numbers = { data: this.values.length === used ? this.values : this.values.slice(0, used), width, invalid: this.invalid };
    [this.values, this.rows, this.invalid] = [new Float64Array(0), 0, new Map()];
    return numbers;
  }
}

/**
 * Bytes of text to text, a block at a time, by `decodeTableText`'s rules: the encoding by the
 * byte-order mark, a NUL byte refused without one, bytes invalid in the encoding refused at their
 * offset; then, as `parseDelimited` takes it, a NUL character refused, the byte-order marks at the
 * start dropped and line ends made `\n`. Each block is cut where a character ends (the rest goes
 * with the next), so every piece decodes alone.
 */
class TextPieces {
  private encoding: 'utf-8' | 'utf-16le' | 'utf-16be' | undefined;
  /** The length of the byte-order mark the bytes start with (0: none). */
  private mark = 0;
  /** Bytes of the previous block not decoded yet, and the file offset of the first. */
  private carry = new Uint8Array(0);
  private offset = 0;
  /** Line feeds in the bytes before `offset`, and in the text decoded so far. */
  private byteLines = 0;
  private textLines = 0;
  /** Text held back: the start, until its byte-order marks can be seen; a `\r` that may be half of `\r\n`. */
  private held = '';
  private started = false;

  constructor(private readonly source: string) {}

  /** The text of the next block (normalized); `last` for the end of the bytes. */
  decode(block: Uint8Array, last: boolean): string {
    const bytes = this.carry.length === 0 ? block : concat(this.carry, block);
    let skip = 0;
    if (this.encoding === undefined) {
      if (bytes.length < 4 && !last) {
        this.carry = bytes.slice();
        return '';
      }
      [this.encoding, this.mark] = textEncoding(bytes, this.source);
      skip = this.mark;
    }
    const encoding = this.encoding;
    const cut = last ? bytes.length : encoding === 'utf-8' ? utf8Boundary(bytes) : utf16Boundary(bytes, encoding === 'utf-16le');
    const piece = bytes.subarray(skip, cut);
    const at = this.offset + skip;
    const nul = this.mark === 0 ? piece.indexOf(0) : -1;
    if (nul >= 0) throw nulByteError(this.source, at + nul, this.byteLines + countLineFeeds(piece, nul) + 1);
    let text: string;
    try {
      text = new TextDecoder(encoding, { fatal: true, ignoreBOM: true }).decode(piece);
    } catch {
      const invalid = firstInvalidByte(piece, encoding);
      throw invalidTextError(this.source, encoding, at + invalid, encoding === 'utf-8' ? this.byteLines + countLineFeeds(piece, invalid) + 1 : null);
    }
    this.byteLines += countLineFeeds(piece, piece.length);
    this.offset += cut;
    this.carry = bytes.slice(cut);
    const nulCharacter = text.indexOf('\0');
    if (nulCharacter >= 0) throw nulCharacterError(this.source, this.textLines + countLineFeeds(text, nulCharacter) + 1);
    this.textLines += countLineFeeds(text, text.length);
    return this.normalize(text, last);
  }

  private normalize(decoded: string, last: boolean): string {
    let text = this.held + decoded;
    this.held = '';
    if (!this.started) {
      if (text.length < 2 && !last) {
        this.held = text;
        return '';
      }
      text = dropByteOrderMarks(text);
      this.started = true;
    }
    if (!last && text.endsWith('\r')) {
      this.held = '\r';
      text = text.slice(0, -1);
    }
    return text.replace(/\r\n?/g, '\n');
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(a.length + b.length);
  bytes.set(a);
  bytes.set(b, a.length);
  return bytes;
}

/** Where the last whole UTF-8 character ends: before a lead byte whose sequence the bytes do not complete. */
function utf8Boundary(bytes: Uint8Array): number {
  for (let j = bytes.length - 1; j >= Math.max(0, bytes.length - 4); j--) {
    const byte = bytes[j] as number;
    if ((byte & 0xc0) === 0x80) continue;
    const length = byte < 0x80 ? 1 : byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return j + length > bytes.length ? j : bytes.length;
  }
  return bytes.length;
}

/** Where the last whole UTF-16 code unit ends, before a high surrogate that may pair with the next. */
function utf16Boundary(bytes: Uint8Array, little: boolean): number {
  const end = bytes.length - (bytes.length % 2);
  if (end < 2) return end;
  const unit = little ? (bytes[end - 2] as number) | ((bytes[end - 1] as number) << 8) : ((bytes[end - 2] as number) << 8) | (bytes[end - 1] as number);
  return unit >= 0xd800 && unit <= 0xdbff ? end - 2 : end;
}
