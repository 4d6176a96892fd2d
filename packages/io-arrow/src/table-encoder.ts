import { AsyncByteQueue, RecordBatchFileWriter, util, type Schema } from 'apache-arrow';
import { InvalidArgumentError } from '@combat/base';
import { checkOneOf, checkStrings } from '@combat/base/internal';
import { checkReplaced, checkTable } from './arguments.js';
import { arrowBatches, arrowSchema, arrowVectors, firstTextCell, textColumnType, type ArrowColumn } from './arrow-table.js';
import { formatRows } from './delimited.js';
import { TableFormatError } from './errors.js';
import { describeRow, type Column, type Table } from './table.js';

/** The Arrow type of a column read from text: float64 when every cell of the whole column is a number that keeps its text. */
type TextType = 'float64' | 'utf8';

/**
 * Encodes a table a chunk at a time (the chunks of `openTable`, in order), so that a table larger
 * than memory is written as it is read: `encode` gives the bytes of each chunk, `finish` those
 * that close the file. For CSV and TSV, the bytes of all chunks are those {@link formatDelimited}
 * gives for the whole table, byte for byte. For Arrow, they are an IPC file of the table
 * {@link encodeArrowTable} writes, a record batch per chunk (the very bytes it writes when the
 * table is one chunk).
 *
 * In Arrow, a column read from text is float64 when every cell of the whole column is a number
 * that keeps what its text says, else text: give every chunk to `scan` before the first `encode`
 * to learn that. Without a scan the first chunk decides, and a later chunk that does not fit
 * (a number column holding text further down) is an error naming its row, never a changed cell.
 *
 * @example
 * ```ts
 * const file = await openTable('data.csv', { chunkBytes: 64 });
 * const encoder = new TableEncoder('tsv');
 * const parts: Uint8Array[] = [];
 * for await (const chunk of file.chunks()) parts.push(encoder.encode(chunk, new Map()));
 * parts.push(encoder.finish());
 * const text = parts.map((part) => new TextDecoder().decode(part)).join('');
 * text === formatDelimited(table, new Map(), { delimiter: '\t' }); // true
 * ```
 */
export class TableEncoder {
  /** The type of each column read from text, in Arrow. */
  private readonly types = new Map<string, TextType>();
  private names: readonly string[] | null = null;
  private sink: Collector | null = null;
  private writer: RecordBatchFileWriter | null = null;
  private schema: Schema | null = null;

  /**
   * An encoder for CSV, TSV or an Arrow IPC file (see `tableFormat` of `@combat/io-arrow/node`
   * for the format of a path).
   *
   * @throws {@link InvalidArgumentError} when `format` is none of those.
   */
  constructor(readonly format: 'csv' | 'tsv' | 'arrow') {
    checkOneOf(format, 'TableEncoder: format', ['csv', 'tsv', 'arrow'] as const);
  }

  /**
   * Learns the Arrow type of each column read from text from one more chunk (the columns of
   * `replaced`, written as float64, aside). Every chunk, before the first {@link encode}; nothing
   * to learn for CSV and TSV.
   *
   * @throws {@link InvalidArgumentError} when a chunk was encoded already, or an argument is not of its type.
   * @example
   * ```ts
   * const encoder = new TableEncoder('arrow');
   * encoder.scan(table, ['lh_x', 'lh_y', 'rh_x']);
   * const bytes = [encoder.encode(table, new Map()), encoder.finish()];
   * bytes[0].length + bytes[1].length === encodeArrowTable(table, new Map()).length; // true
   * ```
   */
  scan(chunk: Table, replaced: readonly string[] = []): void {
    checkTable(chunk, 'TableEncoder.scan: chunk');
    const skip = new Set(checkStrings(replaced, 'TableEncoder.scan: replaced'));
    if (this.names !== null) throw new InvalidArgumentError('TableEncoder.scan: a chunk was encoded already; scan every chunk before the first encode');
    for (const name of chunk.names) {
      const column = chunk.columns.get(name) as Column | ArrowColumn;
      if (skip.has(name) || 'vector' in column || this.types.get(name) === 'utf8') continue;
      this.types.set(name, textColumnType(column));
    }
  }

  /**
   * The bytes of the next chunk: for CSV and TSV its rows (after the header, for the first),
   * replaced columns as numbers in shortest round-trip form; for Arrow its record batches (after the
   * file's start, for the first), replaced columns as float64. Every chunk has the first's columns.
   *
   * @throws {@link TableFormatError} when a column read from text was written as float64 and this
   * chunk holds a cell that is not a number, or would lose what its text says (see above).
   * @throws {@link InvalidArgumentError} when the chunk's columns are not the first's, the encoder
   * is finished, or an argument is not of its type.
   * @example
   * ```ts
   * const encoder = new TableEncoder('csv');
   * const text = new TextDecoder().decode(encoder.encode(table, new Map([['lh_x', new Float64Array(8).fill(0.5)]])));
   * text.split('\n')[1]; // 'sub-001,A,F,61,0.5,3.4,1.2'
   * ```
   */
  encode(chunk: Table, replaced: ReadonlyMap<string, Float64Array>): Uint8Array {
    checkTable(chunk, 'TableEncoder.encode: chunk');
    checkReplaced(replaced, chunk.rows, 'TableEncoder.encode');
    const first = this.names === null;
    if (this.names !== null && (this.names.length !== chunk.names.length || this.names.some((name, k) => chunk.names[k] !== name))) {
      throw new InvalidArgumentError(`TableEncoder.encode: chunk of ${chunk.source} has the columns ${chunk.names.join(', ')}; the first chunk had ${this.names.join(', ')}`);
    }
    if (this.format !== 'arrow') {
      this.names = chunk.names;
      return new TextEncoder().encode(formatRows(chunk, replaced, this.format === 'tsv' ? '\t' : ',', first));
    }
    if (!first && this.writer === null) throw new InvalidArgumentError('TableEncoder.encode: the encoder is finished');
    const vectors = arrowVectors(chunk, replaced, (column, name) => this.textType(chunk, column, name));
    if (this.schema === null) {
      this.schema = arrowSchema(chunk.names, vectors);
      this.sink = new Collector();
      this.writer = new RecordBatchFileWriter();
      this.writer.reset(this.sink, this.schema);
    }
    if (!util.compareSchemas(this.schema, arrowSchema(chunk.names, vectors))) {
      throw new InvalidArgumentError(`TableEncoder.encode: chunk of ${chunk.source} has columns of other types than the first chunk`);
    }
    this.names = chunk.names;
    for (const batch of arrowBatches(this.schema, vectors)) this.writer?.write(batch);
    return (this.sink as Collector).take();
  }

  /**
   * The bytes that end the file: none for CSV and TSV, the footer for Arrow. The encoder is done then.
   *
   * @throws {@link InvalidArgumentError} when no chunk was encoded (a table of no rows is one chunk of none).
   * @example
   * ```ts
   * const encoder = new TableEncoder('arrow');
   * const bytes = [encoder.encode(table, new Map()), encoder.finish()];
   * decodeArrowTable(Uint8Array.from(bytes.flatMap((part) => [...part])), { source: 'copy.arrow' }).rows; // 8
   * ```
   */
  finish(): Uint8Array {
    if (this.names === null) throw new InvalidArgumentError('TableEncoder.finish: no chunk was encoded; encode the chunks of a table first (a table of no rows is one chunk of none)');
    if (this.writer === null) return new Uint8Array(0);
    this.writer.close();
    this.writer = null;
    return (this.sink as Collector).take();
  }

  /** The type of a column read from text: as scanned, else as the first chunk had it, refusing a chunk that does not fit. */
  private textType(chunk: Table, column: Column, name: string): TextType {
    const own = textColumnType(column);
    const type = this.types.get(name) ?? own;
    this.types.set(name, type);
    if (type === 'float64' && own === 'utf8') {
      const row = firstTextCell(column);
      throw new TableFormatError(
        `${chunk.source}: ${describeRow(chunk, row)}, column "${name}": ${JSON.stringify(column.cells[row])} cannot be written as a number, as the rows before it were; scan every chunk before encoding (TableEncoder.scan)`,
      );
    }
    return type;
  }
}

/** The bytes apache-arrow's writer writes, taken as they come. */
class Collector extends AsyncByteQueue {
  private parts: Uint8Array[] = [];

  override write(value: Uint8Array): void {
    if (value.byteLength > 0) this.parts.push(value);
  }

  /** The bytes written since the last call, in one array. */
  take(): Uint8Array {
    const bytes = new Uint8Array(this.parts.reduce((sum, part) => sum + part.byteLength, 0));
    let at = 0;
    for (const part of this.parts) {
      bytes.set(part, at);
      at += part.byteLength;
    }
    this.parts = [];
    return bytes;
  }
}
