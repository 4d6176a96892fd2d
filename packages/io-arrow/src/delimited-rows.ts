/**
 * What reading CSV and TSV text takes, whole (`parseDelimited`, `decodeTableText`) or a block at a
 * time (`delimited-chunks.ts`): rows split by papaparse from text given piece by piece, the checks
 * of the header and of each row, and the messages of text that is not a table, so that both ways
 * say the same about the same file.
 */
import Papa from 'papaparse';
import { TableFormatError } from './errors.js';
import { checkColumnNames } from './table.js';

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

/** What papaparse's parser gives each row (one row in `data`), and where the row ends. */
interface StepResult {
  readonly data: string[][];
  readonly errors: readonly { readonly type: string; readonly message: string }[];
  readonly meta: { readonly cursor: number };
}

/**
 * The rows of delimited text with `\n` line ends, given piece by piece: each call parses what is
 * left of the previous pieces and the new one, and returns the rows that end in them (every row,
 * for the last piece). Blank lines are skipped; a line `""` is a row of one empty cell, not a
 * blank line (papaparse's own skipping cannot tell them apart). Papaparse's parser is given the
 * text after the last whole row again, as its own streaming does, so the rows are those of the
 * whole text however it is cut. An unterminated or malformed quote is an error naming the row:
 * `the header`, or `row N` counting the rows after it.
 */
export class RowSplitter {
  private readonly parser: Papa.Parser;
  /** The text after the last whole row, parsed again with the next piece. */
  private rest = '';
  /** Where `rest` starts in the whole text. */
  private base = 0;
  /** The piece being parsed (with `rest` before it), for the text of each row. */
  private input = '';
  /** Where the row being parsed starts in the whole text. */
  private start = 0;
  /** Rows seen (the header included). */
  private count = 0;
  private rows: string[][] = [];

  constructor(
    delimiter: ',' | '\t',
    private readonly source: string,
  ) {
    this.parser = new Papa.Parser({ delimiter, newline: '\n', step: (result: StepResult) => this.step(result) });
  }

  /** The length of the text after the last whole row, parsed again with the next piece. */
  get pending(): number {
    return this.rest.length;
  }

  /** The rows that end in `text` (appended to what is left), or every row when `last`. */
  push(text: string, last: boolean): string[][] {
    this.input = this.rest + text;
    this.start = this.base;
    const result = this.parser.parse(this.input, this.base, !last) as StepResult;
    if (!last) {
      this.rest = this.input.slice(result.meta.cursor - this.base);
      this.base = result.meta.cursor;
    }
    const rows = this.rows;
    this.rows = [];
    return rows;
  }

  private step(result: StepResult): void {
    const start = this.start;
    this.start = result.meta.cursor;
    const fatal = result.errors.find((e) => e.type === 'Quotes');
    if (fatal !== undefined) throw new TableFormatError(`${this.source}: ${this.count === 0 ? 'the header' : `row ${this.count}`}: ${fatal.message}`);
    const row = result.data[0] as string[];
    if (row.length === 1 && row[0] === '' && !this.input.slice(start - this.base, this.start - this.base).includes('"')) return;
    this.count++;
    this.rows.push(row);
  }
}

/**
 * The header row's names, checked: present, not one column betraying another separator, every
 * name given and unique.
 */
export function checkHeader(header: string[] | undefined, delimiter: ',' | '\t', source: string): string[] {
  if (header === undefined) throw new TableFormatError(`${source}: empty; expected a header row`);
  if (header.length === 1) {
    for (const [separator, name, remedy] of FOREIGN_SEPARATORS[delimiter]) {
      if ((header[0] as string).includes(separator)) {
        throw new TableFormatError(`${source}: looks ${name}-separated (a header of 1 column containing ${JSON.stringify(separator)}); ${remedy}`);
      }
    }
  }
  checkColumnNames(header, source);
  return header;
}

/** Every row has as many cells as the header; `first` is the 0-based data row of `rows[0]`. */
export function checkRowLengths(rows: readonly string[][], columns: number, first: number, source: string): void {
  rows.forEach((row, r) => checkRowLength(row.length, columns, first + r, source));
}

/** A row (0-based data row `row`) of `length` cells has as many as the header. */
export function checkRowLength(length: number, columns: number, row: number, source: string): void {
  if (length !== columns) throw new TableFormatError(`${source}: row ${row + 1} has ${length} cells; the header has ${columns}`);
}

/**
 * A cell's text holding nothing else: a copy of a longer one (V8 keeps a long substring's whole
 * source string alive, here the text of a block), the cell itself when short (V8 copies those).
 */
export function ownText(text: string): string {
  return text.length < 13 ? text : (text + ' ').slice(0, -1);
}

/** Text that begins with byte-order marks, without them (one decoding keeps, one papaparse drops). */
export function dropByteOrderMarks(text: string): string {
  return text.replace(/^\uFEFF{1,2}/, '');
}

/** A NUL character in decoded text, at a 1-based line. */
export function nulCharacterError(source: string, line: number): TableFormatError {
  return new TableFormatError(`${source}: line ${line} holds a NUL character, which text tables do not; is it UTF-16 without a byte-order mark, or not a text table? save it as UTF-8`);
}

/** A NUL byte in bytes without a byte-order mark. */
export function nulByteError(source: string, offset: number, line: number): TableFormatError {
  return new TableFormatError(`${source}: a NUL byte at byte offset ${offset} (line ${line}), which text does not hold; is it UTF-16 without a byte-order mark, or not a text table? save it as UTF-8`);
}

/** Bytes that are not valid in their encoding (`line` for UTF-8 only). */
export function invalidTextError(source: string, encoding: string, offset: number, line: number | null): TableFormatError {
  return new TableFormatError(
    `${source}: not valid ${encoding.toUpperCase()} at byte offset ${offset}${line === null ? '' : ` (line ${line})`}; save the file as UTF-8 (other encodings, such as latin-1, are not guessed at)`,
  );
}

/**
 * The encoding of text bytes by their first four (a byte-order mark, else UTF-8) and where the
 * text starts; UTF-32 is refused.
 */
export function textEncoding(bytes: Uint8Array, source: string): readonly ['utf-8' | 'utf-16le' | 'utf-16be', number] {
  const [b0, b1, b2, b3] = bytes;
  if ((b0 === 0xff && b1 === 0xfe && b2 === 0 && b3 === 0) || (b0 === 0 && b1 === 0 && b2 === 0xfe && b3 === 0xff)) {
    throw new TableFormatError(`${source}: UTF-32 text (its byte-order mark says so); save it as UTF-8`);
  }
  return b0 === 0xef && b1 === 0xbb && b2 === 0xbf ? ['utf-8', 3] : b0 === 0xff && b1 === 0xfe ? ['utf-16le', 2] : b0 === 0xfe && b1 === 0xff ? ['utf-16be', 2] : ['utf-8', 0];
}

/**
 * Text too long to be one JavaScript string (about 512 MiB of characters in V8): whole, it cannot
 * be read, however valid; in chunks it can.
 */
export function textTooLongError(source: string, bytes: number): TableFormatError {
  return new TableFormatError(`${source}: ${bytes} bytes of text, more than one JavaScript string holds, so it cannot be read whole; read it in chunks (openTable), as combat's table commands do`);
}

/** Bytes a streaming decoder is given at once, to find where text is not valid. */
const PIECE = 1 << 16;

/** Whether bytes are valid in their encoding, decoded a piece at a time (so text longer than a string can be judged). */
export function validText(bytes: Uint8Array, encoding: string): boolean {
  return failingPiece(bytes, encoding) < 0;
}

/** Offset of the first byte where a fatal decoder fails (the length when the text stops mid-character). */
export function firstInvalidByte(bytes: Uint8Array, encoding: string): number {
  const piece = failingPiece(bytes, encoding);
  if (piece < 0) return bytes.length;
  // Replay up to the piece that failed, then byte by byte.
  const replay = new TextDecoder(encoding, { fatal: true, ignoreBOM: true });
  replay.decode(bytes.subarray(0, piece), { stream: true });
  for (let i = piece; i < Math.min(bytes.length, piece + PIECE); i++) {
    try {
      replay.decode(bytes.subarray(i, i + 1), { stream: true });
    } catch {
      return i;
    }
  }
  return bytes.length;
}

/** Where the piece a streaming fatal decoder fails on starts: -1 when none does, the length when the text stops mid-character. */
function failingPiece(bytes: Uint8Array, encoding: string): number {
  const decoder = new TextDecoder(encoding, { fatal: true, ignoreBOM: true });
  let at = 0;
  try {
    for (; at < bytes.length; at += PIECE) decoder.decode(bytes.subarray(at, at + PIECE), { stream: true });
    decoder.decode();
    return -1;
  } catch {
    return at;
  }
}

/** How many line feeds text or UTF-8 bytes hold before `position`. */
export function countLineFeeds(text: string | Uint8Array, position: number): number {
  let count = 0;
  for (let at = typeof text === 'string' ? text.indexOf('\n') : text.indexOf(10); at >= 0 && at < position; at = typeof text === 'string' ? text.indexOf('\n', at + 1) : text.indexOf(10, at + 1)) count++;
  return count;
}
