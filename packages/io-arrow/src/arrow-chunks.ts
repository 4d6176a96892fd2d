/**
 * Arrow IPC files and streams (Feather v2 included, LZ4 or ZSTD compressed) read a record batch at
 * a time: each message is read from where it lies and checked as `decodeArrowTable` checks the
 * whole file (`arrow-layout.ts`) before apache-arrow's stream reader sees it, and each batch's
 * columns are checked (`arrow-data.ts`) before a value is read. A file is read by its footer: its
 * schema (as a schema message: files need not hold one), then the dictionary and record batches
 * the footer lists, in its order.
 */
import { Table as ArrowTable, Message, RecordBatchReader, Vector, type Data, type RecordBatch } from 'apache-arrow';
import { Footer } from 'apache-arrow/ipc/metadata/file';
import { CombatError } from '@combat/base';
import { arrowColumn, checkFields, checkNullRows } from './arrow-table.js';
import { checkColumnData } from './arrow-data.js';
import { checkBatch, readFooter, readMessage, readSchema, startsAsFile, type FileBlock, type MessageFrame, type Schema } from './arrow-layout.js';
import type { ByteSource, ChunkOptions } from './byte-source.js';
import { registerCompressionCodecs } from './codecs.js';
import { TableFormatError } from './errors.js';
import { checkColumnNames, type Column, type Table } from './table.js';

/** The end-of-stream marker that closes the messages given to apache-arrow. */
const END_OF_STREAM = Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0);

/**
 * The table of an Arrow IPC file or stream a chunk at a time: first its header (a table of no
 * rows), then its rows in chunks of whole record batches of about `options.chunkBytes` bytes (one
 * chunk of no rows when it has none), each with `firstRow` and only the `options.columns` asked
 * for. Dictionaries are shared by the chunks, as by the batches of a whole table.
 *
 * @throws {@link TableFormatError} when the bytes are not a table, as `decodeArrowTable` says it.
 */
export async function* readArrowChunks(bytes: ByteSource, options: ChunkOptions): AsyncGenerator<Table, void, undefined> {
  const { source, chunkBytes } = options;
  const fail = (detail: string): never => {
    throw new TableFormatError(`${source}: ${detail}`);
  };
  registerCompressionCodecs();
  const messages = new CheckedMessages(bytes, source);
  let reader: Awaited<ReturnType<typeof RecordBatchReader.from>>;
  try {
    reader = await (RecordBatchReader.from(messages.read()) as Promise<Awaited<ReturnType<typeof RecordBatchReader.from>>>).then((opened) => opened.open());
  } catch (error) {
    return rethrow(error, fail);
  }
  const names = messages.names;
  checkColumnNames(names, source);
  const fields = reader.schema.fields;
  checkFields(fields, fail);
  const wanted = new Set(options.columns ?? names);
  const keep = names.flatMap((name, k) => (wanted.has(name) ? [k] : []));
  const empty = new ArrowTable(reader.schema);
  const chunk = (data: readonly Data[][], rows: number, firstRow: number): Table => {
    try {
      const columns = new Map<string, Column>(keep.map((k) => [names[k] as string, arrowColumn(names[k] as string, rows === 0 ? (empty.getChildAt(k) as Vector) : new Vector(data.map((batch) => batch[k] as Data)))]));
      return { source, names: [...columns.keys()], rows, columns, firstRow };
    } catch (error) {
      return rethrow(error, fail);
    }
  };
  yield chunk([], 0, 0);
  const checked = new Set<Vector>();
  let group: Data[][] = [];
  let groupRows = 0;
  let groupBytes = 0;
  let firstRow = 0;
  let batches = 0;
  let chunks = 0;
  const iterator = reader[Symbol.asyncIterator]();
  for (;;) {
    let next: IteratorResult<RecordBatch>;
    try {
      next = await iterator.next();
    } catch (error) {
      return rethrow(error, fail);
    }
    if (next.done === true) break;
    const batch = next.value;
    batches++;
    const columns = fields.map((_, k) => batch.data.children[k] as Data);
    columns.forEach((data, k) => checkColumnData(data, `column "${names[k]}" in record batch ${batches}`, fail, checked));
    checkNullRows(fields, firstRow + groupRows + batch.numRows, messages.consumed, fail);
    if (batch.numRows === 0) continue;
    group.push(columns);
    groupRows += batch.numRows;
    groupBytes += batch.data.byteLength;
    if (groupBytes < chunkBytes) continue;
    yield chunk(group, groupRows, firstRow);
    chunks++;
    firstRow += groupRows;
    [group, groupRows, groupBytes] = [[], 0, 0];
  }
  if (groupRows > 0 || chunks === 0) yield chunk(group, groupRows, firstRow);
}

/** A schema as the message that starts a stream: its flatbuffer after a continuation marker and its length, padded to 8 bytes. */
function schemaMessage(schema: Parameters<typeof Message.from>[0]): Uint8Array {
  const flatbuffer = Message.encode(Message.from(schema));
  const length = (flatbuffer.length + 8 + 7) & ~7;
  const bytes = new Uint8Array(length);
  const view = new DataView(bytes.buffer);
  view.setInt32(0, -1, true);
  view.setInt32(4, length - 8, true);
  bytes.set(flatbuffer, 8);
  return bytes;
}

/** An error of apache-arrow's reader as this package's; the checks' own errors as they are. */
function rethrow(error: unknown, fail: (detail: string) => never): never {
  if (error instanceof CombatError) throw error;
  return fail(`not a readable Arrow IPC file or stream: ${error instanceof Error ? error.message : String(error)}`);
}

/**
 * The messages of a file or stream as a stream of checked messages: the schema, then dictionary
 * and record batches, then the end-of-stream marker. Each is read whole from the source and checked
 * against the schema before it is given out.
 */
class CheckedMessages {
  /** The column names as written (apache-arrow reads a missing name as "null"), once the schema is read. */
  names: string[] = [];
  /** Bytes read so far. */
  consumed = 0;
  private readonly fail: (detail: string) => never;

  constructor(
    private readonly bytes: ByteSource,
    source: string,
  ) {
    this.fail = (detail: string): never => {
      throw new TableFormatError(`${source}: not a readable Arrow IPC file or stream: ${detail}`);
    };
  }

  async *read(): AsyncGenerator<Uint8Array, void, undefined> {
    const head = await this.take(0, 8);
    yield* startsAsFile(head) ? this.fileMessages() : this.streamMessages();
    yield END_OF_STREAM;
  }

  private async *fileMessages(): AsyncGenerator<Uint8Array, void, undefined> {
    const { size } = this.bytes;
    const fail = this.fail;
    const tail = size >= 18 ? await this.take(size - 10, 10) : new Uint8Array(0);
    if (size < 18 || !startsAsFile(tail.subarray(4))) return fail('starts as an Arrow file but does not end as one (cut short?)');
    const footerLength = new DataView(tail.buffer, tail.byteOffset, 4).getInt32(0, true);
    const footerStart = size - 10 - footerLength;
    if (footerLength <= 0 || footerStart < 8) return fail(`a footer of ${footerLength} bytes does not fit the file of ${size}`);
    const footer = await this.take(footerStart, footerLength);
    const { schema, blocks } = readFooter(footer, 0, footerLength, footerStart, fail);
    // Each batch once, inside the messages: a footer listing one batch many times would have it read as many times.
    const byOffset = [...blocks].sort((a, b) => a.offset - b.offset);
    byOffset.forEach((block, k) => {
      const next = byOffset[k + 1];
      if (block.length < 0 || block.offset + block.length > footerStart) fail(`${block.what} at byte ${block.offset} claims ${block.length} bytes; the messages end at byte ${footerStart}`);
      if (next !== undefined && next.offset < block.offset + block.length) fail(`${next.what} at byte ${next.offset} overlaps ${block.what}`);
    });
    // The schema the footer holds, as a message (apache-arrow's own files hold none before their batches).
    this.names = schema.fields.map((field) => field.name);
    yield schemaMessage(Footer.decode(footer).schema);
    for (const block of blocks) yield this.batch(await this.block(block), schema, block);
  }

  private async *streamMessages(): AsyncGenerator<Uint8Array, void, undefined> {
    const { size } = this.bytes;
    const fail = this.fail;
    let schema: Schema | null = null;
    let batches = 0;
    let dictionaries = 0;
    for (let at = 0; at < size; ) {
      const read = await this.message(at, size);
      if (read === null) {
        const marker = (await this.take(at, 1))[0] === 0xff ? 8 : 4;
        await this.checkZeros(at + marker, at);
        return;
      }
      const { frame } = read;
      if (schema === null) {
        if (frame.kind !== 1 || frame.header === null) return fail(`the stream starts with a message of kind ${frame.kind}; expected its schema`);
        schema = readSchema(frame.flat, frame.header, fail);
        this.names = schema.fields.map((field) => field.name);
      } else if (frame.kind === 1) fail(`a second schema at byte ${at}; a stream has one`);
      else {
        const what = frame.kind === 2 ? `dictionary batch ${++dictionaries}` : `record batch ${++batches}`;
        checkBatch(frame, schema, what, this.within(at));
      }
      yield read.bytes;
      at += read.bytes.length;
    }
  }

  /** A batch message of a file, checked: of the kind its footer entry says, fitting the schema. */
  private batch(read: { frame: MessageFrame; bytes: Uint8Array }, schema: Schema, block: FileBlock): Uint8Array {
    if (read.frame.kind !== block.kind) this.fail(`${block.what} at byte ${block.offset} is not a ${block.kind === 2 ? 'dictionary' : 'record'} batch message`);
    checkBatch(read.frame, schema, block.what, this.within(block.offset));
    return read.bytes;
  }

  /** The message a footer entry points at, inside the bytes it claims. */
  private async block(block: FileBlock): Promise<{ frame: MessageFrame; bytes: Uint8Array }> {
    const bytes = await this.take(block.offset, block.length);
    const frame = readMessage(bytes, 0, bytes.length, this.within(block.offset));
    if (frame === null) return this.fail(`${block.what} at byte ${block.offset} is not a ${block.kind === 2 ? 'dictionary' : 'record'} batch message`);
    return { frame, bytes: bytes.subarray(0, frame.next) };
  }

  /** The message at `at` (prefix, metadata and body, before `end`), or null at an end-of-stream marker or the end. */
  private async message(at: number, end: number): Promise<{ frame: MessageFrame; bytes: Uint8Array } | null> {
    const fail = this.within(at);
    const prefix = await this.take(at, Math.min(8, end - at));
    const view = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength);
    const int32 = (position: number): number => (position + 4 <= prefix.length ? view.getInt32(position, true) : fail(`a message prefix at byte ${at} is cut short`));
    let start = 4;
    let length = int32(0);
    if (length === -1) {
      length = int32(4);
      start = 8;
    }
    if (length === 0) return null;
    if (length < 0 || at + start + length > end) return fail(`a message at byte ${at} claims ${length} bytes of metadata; ${Math.max(0, end - at - start)} remain`);
    const header = readMessage(await this.take(at, start + length), 0, end - at, fail) as MessageFrame;
    const bytes = await this.take(at, header.next);
    return { frame: readMessage(bytes, 0, bytes.length, fail) as MessageFrame, bytes };
  }

  /** Refuses anything but zeros from `from` to the end (what follows an end-of-stream marker). */
  private async checkZeros(from: number, marker: number): Promise<void> {
    for (let at = from; at < this.bytes.size; at += 1 << 20) {
      if ((await this.take(at, 1 << 20)).some((byte) => byte !== 0)) this.fail(`data after the end-of-stream marker at byte ${marker} (another stream appended?)`);
    }
  }

  /** `fail`, saying where in the file the message that fails lies. */
  private within(at: number): (detail: string) => never {
    return (detail) => this.fail(at === 0 ? detail : `${detail} (in the message at byte ${at})`);
  }

  /** `length` bytes from `position` (fewer at the end), however the source cuts its reads. */
  private async take(position: number, length: number): Promise<Uint8Array> {
    const wanted = Math.max(0, Math.min(length, this.bytes.size - position));
    const first = await this.bytes.read(position, wanted);
    let bytes = first;
    if (first.length < wanted) {
      bytes = new Uint8Array(wanted);
      let filled = 0;
      for (let part = first; part.length > 0 && filled < wanted; part = await this.bytes.read(position + filled, wanted - filled)) {
        bytes.set(part.subarray(0, wanted - filled), filled);
        filled += Math.min(part.length, wanted - filled);
      }
      bytes = bytes.subarray(0, filled);
    }
    this.consumed += bytes.length;
    return bytes;
  }
}
