/**
 * CSV and TSV read a block at a time into tables of a few megabytes each, by the rules and with
 * the messages of `decodeTableText` and `parseDelimited` (see `delimited-rows.ts`): byte offsets,
 * lines and rows in messages are the file's, not the block's or the chunk's.
 */
import type { ByteSource, ChunkOptions } from './byte-source.js';
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
} from './delimited-rows.js';
import { RowColumn } from './row-column.js';
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
  let size = 0;
  let firstRow = 0;
  /** The rows so far as a table of the columns asked for, each column read from the rows when asked. */
  const chunk = (): Table => {
    const header = names as string[];
    checkRowLengths(rows, header.length, firstRow, source);
    const done = rows;
    const columns = new Map<string, Column>(keep.map((k) => [header[k] as string, new RowColumn(header[k] as string, done, k)]));
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
        yield chunk();
        // The header's columns keep the empty rows they were made of.
        rows = [];
        continue;
      }
      rows.push(row);
      // About the row's characters: its cells and their separators.
      for (const cell of row) size += cell.length + 1;
      if (size < chunkBytes) continue;
      yield chunk();
      [firstRow, rows, size, chunks] = [firstRow + rows.length, [], 0, chunks + 1];
    }
  }
  if (names !== undefined && (rows.length > 0 || chunks === 0)) yield chunk();
  if (names === undefined) checkHeader(undefined, delimiter, source);
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
