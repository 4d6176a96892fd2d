/**
 * The check of an Arrow IPC file or stream's frame, done before apache-arrow reads it, because
 * apache-arrow trusts what the metadata claims: a footer that claims a billion record batches
 * makes it loop, a column shorter than its batch is padded with nulls, a buffer past the end of
 * the body is cut short without a word. What the sizes of the buffers must be for each type is
 * checked afterwards, on the data apache-arrow builds (see `arrow-data.ts`).
 */
import { TableFormatError } from './errors.js';
import { FlatBuffer } from './flatbuffer.js';

/** A field of the schema as a record batch lays it out. */
interface FieldLayout {
  readonly name: string;
  /** The flatbuffer `Type` id (Schema.fbs). */
  readonly typeId: number;
  /** A dense union (sparse otherwise); unions only. */
  readonly dense: boolean;
  readonly dictionaryId: number | null;
  readonly children: readonly FieldLayout[];
}

/**
 * Buffers of a node by flatbuffer `Type` id, for the types apache-arrow reads (unions aside); the
 * first is the validity bitmap whenever there is one.
 */
const BUFFERS: Readonly<Record<number, number>> = {
  0: 0, 1: 0, // NONE, Null
  2: 2, 3: 2, 6: 2, 7: 2, 8: 2, 9: 2, 10: 2, 11: 2, 15: 2, 18: 2, // Int, FloatingPoint, Bool, Decimal, Date, Time, Timestamp, Interval, FixedSizeBinary, Duration
  4: 3, 5: 3, 19: 3, 20: 3, // Binary, Utf8, LargeBinary, LargeUtf8
  12: 2, 17: 2, 21: 2, // List, Map, LargeList
  13: 1, 16: 1, // Struct, FixedSizeList
  23: 2, 24: 2, // BinaryView, Utf8View, then as many data buffers as the batch's variadic counts say
};
const TIMESTAMP = 10;
const UNION = 14;
const VIEWS = new Set([23, 24]);
const METADATA_V4 = 3;
const METADATA_V5 = 4;
/** At most how many times a codec's output outgrows its input (LZ4: 255 per byte; ZSTD: a 128 KiB block from 4 bytes). */
const EXPANSION: Readonly<Record<number, readonly [string, number]>> = { 0: ['LZ4', 256], 1: ['ZSTD', 32768] };
const MAX_NESTING = 64;
const MAGIC = [0x41, 0x52, 0x52, 0x4f, 0x57, 0x31]; // ARROW1

/** The fields of a schema, and the field that gives each dictionary its type. */
export interface Schema {
  readonly fields: readonly FieldLayout[];
  readonly dictionaries: ReadonlyMap<number, FieldLayout>;
}

/** A message read from its prefix: its metadata and where its body lies. */
export interface MessageFrame {
  readonly flat: FlatBuffer;
  readonly view: DataView;
  readonly kind: number;
  readonly header: number | null;
  readonly version: number;
  readonly body: number;
  readonly bodyLength: number;
  readonly next: number;
}

/**
 * Checks the frame of an Arrow IPC file or stream as apache-arrow will read it (a file by its
 * footer, a stream message by message): every flatbuffer in bounds, every message and body inside
 * the input, one schema, every batch with the field nodes and buffers its schema needs, every
 * column as long as its batch, null counts within lengths, buffers inside their message's body,
 * and compressed buffers declaring no more than their codec can expand to. Throws a
 * {@link TableFormatError} naming the source, the batch and the column. Returns the names of the
 * schema's columns as written (apache-arrow reads a missing name as "null"); none when there is
 * no schema.
 */
export function checkIpcLayout(bytes: Uint8Array, source: string): string[] {
  const fail = (detail: string): never => {
    throw new TableFormatError(`${source}: not a readable Arrow IPC file or stream: ${detail}`);
  };
  const schema = startsAsFile(bytes) ? checkFile(bytes, fail) : checkStream(bytes, fail);
  return schema === null ? [] : schema.fields.map((field) => field.name);
}

function checkStream(bytes: Uint8Array, fail: (detail: string) => never): Schema | null {
  let schema: Schema | null = null;
  let batches = 0;
  let dictionaries = 0;
  let at = 0;
  while (at < bytes.length) {
    const message = readMessage(bytes, at, bytes.length, fail);
    if (message === null) {
      const marker = bytes[at] === 0xff ? 8 : 4;
      const trailing = bytes.subarray(at + marker).findIndex((byte) => byte !== 0);
      if (trailing >= 0) fail(`data after the end-of-stream marker at byte ${at} (another stream appended?)`);
      return schema;
    }
    if (schema === null) {
      if (message.kind !== 1 || message.header === null) return fail(`the stream starts with a message of kind ${message.kind}; expected its schema`);
      schema = readSchema(message.flat, message.header, fail);
    } else if (message.kind === 1) fail(`a second schema at byte ${at}; a stream has one`);
    else checkBatch(message, schema, message.kind === 2 ? `dictionary batch ${++dictionaries}` : `record batch ${++batches}`, fail);
    at = message.next;
  }
  return schema;
}

function checkFile(bytes: Uint8Array, fail: (detail: string) => never): Schema {
  const size = bytes.length;
  if (size < 18 || !MAGIC.every((byte, k) => bytes[size - 6 + k] === byte)) return fail('starts as an Arrow file but does not end as one (cut short?)');
  const footerLength = new DataView(bytes.buffer, bytes.byteOffset + size - 10, 4).getInt32(0, true);
  const footerStart = size - 10 - footerLength;
  if (footerLength <= 0 || footerStart < 8) return fail(`a footer of ${footerLength} bytes does not fit the file of ${size}`);
  const { schema, blocks } = readFooter(bytes, footerStart, size - 10, footerStart, fail);
  const read = ({ offset, kind, what }: FileBlock) => {
    const message = readMessage(bytes, offset, footerStart, fail);
    if (message === null || message.kind !== kind) return fail(`${what} at byte ${offset} is not a ${kind === 2 ? 'dictionary' : 'record'} batch message`);
    return { offset, message, what };
  };
  const messages = blocks.map(read);
  // Each batch once: a footer listing one batch many times would have apache-arrow decode it as many times.
  const byOffset = [...messages].sort((a, b) => a.offset - b.offset);
  byOffset.forEach((entry, k) => {
    const next = byOffset[k + 1];
    if (next !== undefined && next.offset < entry.message.next) fail(`${next.what} at byte ${next.offset} overlaps ${entry.what}`);
  });
  messages.forEach(({ message, what }) => checkBatch(message, schema, what, fail));
  return schema;
}

/** A dictionary or record batch message as a file's footer lists it. */
export interface FileBlock {
  readonly kind: 2 | 3;
  readonly offset: number;
  /** Its prefix, metadata and body, as the footer says. */
  readonly length: number;
  readonly what: string;
}

/**
 * A file's footer (the flatbuffer `bytes[start, end)`): its schema, then its dictionary batches
 * and record batches in order, each starting inside the file's messages (bytes 8 to
 * `messagesEnd`, where the footer starts).
 */
export function readFooter(bytes: Uint8Array, start: number, end: number, messagesEnd: number, fail: (detail: string) => never): { schema: Schema; blocks: FileBlock[] } {
  const flat = new FlatBuffer(bytes, start, end, fail);
  const footer = flat.root();
  const schemaTable = flat.child(footer, 1);
  if (schemaTable === null) return fail('the footer has no schema');
  const schema = readSchema(flat, schemaTable, fail);
  const blocks = (field: number, kind: 2 | 3): FileBlock[] => {
    const { at, length } = flat.vector(footer, field, 24);
    return Array.from({ length }, (_, k) => {
      const what = `${kind === 2 ? 'dictionary' : 'record'} batch ${k + 1}`;
      const offset = flat.int(at + 24 * k, 8);
      if (offset < 8 || offset >= messagesEnd) return fail(`${what} is at byte ${offset}, outside the file's messages (bytes 8 to ${messagesEnd})`);
      return { kind, offset, length: flat.int(at + 24 * k + 8, 4) + flat.int(at + 24 * k + 16, 8), what };
    });
  };
  return { schema, blocks: [...blocks(2, 2), ...blocks(3, 3)] };
}

/** Whether bytes start as an Arrow IPC file (with the magic `ARROW1`), not a stream. */
export function startsAsFile(bytes: Uint8Array): boolean {
  return bytes.length >= MAGIC.length && MAGIC.every((byte, k) => bytes[k] === byte);
}

/** The message at `at` (its prefix, metadata and body inside `[at, end)`), or null at an end-of-stream marker or the end. */
export function readMessage(bytes: Uint8Array, at: number, end: number, fail: (detail: string) => never): MessageFrame | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const int32 = (position: number): number => (position + 4 <= end ? view.getInt32(position, true) : fail(`a message prefix at byte ${at} is cut short`));
  let start = at + 4;
  let length = int32(at);
  if (length === -1) {
    length = int32(start);
    start += 4;
  }
  if (length === 0) return null;
  if (length < 0 || start + length > end) return fail(`a message at byte ${at} claims ${length} bytes of metadata; ${Math.max(0, end - start)} remain`);
  const flat = new FlatBuffer(bytes, start, start + length, fail);
  const message = flat.root();
  const version = flat.scalar(message, 0, 2, 0);
  if (version !== METADATA_V4 && version !== METADATA_V5) fail(`a message at byte ${at} has metadata version V${version + 1}; this reader reads V4 and V5 (Arrow 0.8 and later)`);
  const kind = flat.scalar(message, 1, 1, 0) & 0xff;
  const header = flat.child(message, 2);
  const bodyLength = flat.scalar(message, 3, 8, 0);
  readKeyValues(flat, message, 4);
  const body = start + length;
  if (bodyLength < 0 || body + bodyLength > end) fail(`a message at byte ${at} claims a body of ${bodyLength} bytes; ${end - body} remain`);
  return { flat, view, kind, header, version, body, bodyLength, next: body + bodyLength };
}

function readKeyValues(flat: FlatBuffer, table: number, field: number): void {
  for (const entry of flat.tableVector(table, field)) {
    flat.string(entry, 0);
    flat.string(entry, 1);
  }
}

/** The layout of every field of a schema (checking its flatbuffer), with the dictionary-encoded fields by id. */
export function readSchema(flat: FlatBuffer, schema: number, fail: (detail: string) => never): Schema {
  readKeyValues(flat, schema, 2);
  flat.vector(schema, 3, 8);
  const dictionaries = new Map<number, FieldLayout>();
  const read = (field: number, depth: number): FieldLayout => {
    const name = flat.string(field, 0) ?? '';
    if (depth > MAX_NESTING) fail(`column "${name}" is nested more than ${MAX_NESTING} levels deep`);
    const typeId = flat.scalar(field, 2, 1, 0) & 0xff;
    if (typeId !== UNION && BUFFERS[typeId] === undefined) fail(`column "${name}" has an Arrow type (id ${typeId}) this reader does not read`);
    const type = flat.child(field, 3);
    if (type !== null && typeId === TIMESTAMP) flat.string(type, 1);
    if (type !== null && typeId === UNION) flat.vector(type, 1, 4);
    const dense = type !== null && typeId === UNION && flat.scalar(type, 0, 2, 0) === 1;
    const encoding = flat.child(field, 4);
    if (encoding !== null) flat.child(encoding, 1);
    const children = flat.tableVector(field, 5).map((child) => read(child, depth + 1));
    readKeyValues(flat, field, 6);
    const layout: FieldLayout = { name, typeId, dense, dictionaryId: encoding === null ? null : flat.scalar(encoding, 0, 8, 0), children };
    if (layout.dictionaryId !== null && !dictionaries.has(layout.dictionaryId)) dictionaries.set(layout.dictionaryId, layout);
    return layout;
  };
  return { fields: flat.tableVector(schema, 1).map((field) => read(field, 0)), dictionaries };
}

/** Checks a record or dictionary batch message against the schema. */
export function checkBatch(message: MessageFrame, schema: Schema, what: string, fail: (detail: string) => never): void {
  const { flat, header, kind, version } = message;
  if (header === null || (kind !== 2 && kind !== 3)) return fail(`${what} is a message of kind ${kind}; expected a record or dictionary batch`);
  let batch = header;
  let columns = schema.fields;
  if (kind === 2) {
    const id = flat.scalar(header, 0, 8, 0);
    const field = schema.dictionaries.get(id);
    const data = flat.child(header, 1);
    if (field === undefined || data === null) return fail(`${what} is for dictionary ${id}, which no column uses`);
    batch = data;
    columns = [{ ...field, dictionaryId: null }];
  }
  const length = flat.scalar(batch, 0, 8, 0);
  const nodes = flat.vector(batch, 1, 16);
  const buffers = flat.vector(batch, 2, 16);
  const compression = flat.child(batch, 3);
  const variadic = flat.vector(batch, 4, 8);
  const codec = compression === null ? null : EXPANSION[flat.scalar(compression, 0, 1, 0)];
  if (compression !== null && (codec === undefined || flat.scalar(compression, 1, 1, 0) !== 0)) {
    fail(`${what} is compressed in a way this reader does not read; it reads LZ4 frames and ZSTD, buffer by buffer`);
  }
  if (length < 0) fail(`${what} claims ${length} rows`);
  let node = 0;
  let buffer = 0;
  let views = 0;
  const visit = (field: FieldLayout, path: string, top: boolean): void => {
    if (node >= nodes.length) fail(`${what} has ${nodes.length} field nodes; its columns need more (column "${path}" has none)`);
    const rows = flat.int(nodes.at + 16 * node, 8);
    const nulls = flat.int(nodes.at + 16 * node + 8, 8);
    node++;
    if (rows < 0 || nulls < 0 || nulls > rows) fail(`column "${path}" in ${what} claims ${rows} rows with ${nulls} nulls`);
    if (top && rows !== length) fail(`column "${path}" has ${rows} rows in ${what}; the batch has ${length}`);
    const layout = ownBuffers(field, version, () => {
      const count = views < variadic.length ? flat.int(variadic.at + 8 * views++, 8) : -1;
      return count >= 0 ? count : fail(`${what} lacks the data buffer count of view column "${path}"`);
    });
    for (let k = 0; k < layout.count; k++) {
      if (buffer >= buffers.length) fail(`${what} has ${buffers.length} buffers; its columns need more (column "${path}" lacks some)`);
      const offset = flat.int(buffers.at + 16 * buffer, 8);
      const size = flat.int(buffers.at + 16 * buffer + 8, 8);
      buffer++;
      if (offset < 0 || size < 0 || offset + size > message.bodyLength) {
        fail(`column "${path}" in ${what}: a buffer of ${size} bytes at ${offset} lies outside the message body of ${message.bodyLength} bytes`);
      }
      if (k === 0 && layout.validity && nulls > 0 && size === 0) fail(`column "${path}" in ${what} claims ${nulls} nulls but has no validity bitmap`);
      if (codec !== undefined && codec !== null && size > 0) {
        // A compressed buffer: its uncompressed length (-1: stored as is), then the codec's bytes.
        const [name, expansion] = codec;
        if (size < 8) fail(`column "${path}" in ${what}: a compressed buffer of ${size} bytes is shorter than its 8-byte length`);
        const declared = Number(message.view.getBigInt64(message.body + offset, true));
        if (declared !== -1 && !(declared >= 0 && declared <= expansion * (size - 8) + 64)) {
          fail(`column "${path}" in ${what}: a compressed buffer of ${size} bytes declares ${declared} bytes uncompressed; ${name} expands at most ${expansion}-fold`);
        }
      }
    }
    if (field.dictionaryId === null) field.children.forEach((child) => visit(child, `${path}.${child.name}`, false));
  };
  columns.forEach((field) => visit(field, field.name, true));
  if (node !== nodes.length || buffer !== buffers.length || views !== variadic.length) {
    fail(`${what} has ${nodes.length} field nodes, ${buffers.length} buffers and ${variadic.length} view buffer counts; its columns take ${node}, ${buffer} and ${views}`);
  }
}

/** How many buffers a field's node has in a batch, and whether the first is its validity bitmap. */
function ownBuffers(field: FieldLayout, version: number, variadicCount: () => number): { count: number; validity: boolean } {
  if (field.dictionaryId !== null) return { count: 2, validity: true };
  // Before V5 a union had a validity bitmap too.
  if (field.typeId === UNION) return { count: (field.dense ? 2 : 1) + (version < METADATA_V5 ? 1 : 0), validity: version < METADATA_V5 };
  const count = BUFFERS[field.typeId] as number;
  return { count: count + (VIEWS.has(field.typeId) ? variadicCount() : 0), validity: count > 0 };
}
