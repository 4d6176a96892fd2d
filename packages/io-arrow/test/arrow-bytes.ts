/**
 * Where things are in the bytes of an Arrow IPC file or stream, to craft hostile files by patching
 * valid ones: the record batches' lengths, field nodes and buffers, and the file footer's lists.
 * Test support only: it trusts the bytes it is given (valid files written by apache-arrow or
 * Arrow C++).
 */

/** A record batch message: positions of its length, first field node, first buffer, and its body. */
export interface BatchLayout {
  /** Position of the int64 row count, or null when the batch has 0 rows (the field is then absent). */
  readonly length: number | null;
  /** Position of the first field node (16 bytes each: int64 length, int64 null count). */
  readonly nodes: number;
  readonly nodeCount: number;
  /** Position of the first buffer (16 bytes each: int64 offset, int64 length, relative to the body). */
  readonly buffers: number;
  readonly bufferCount: number;
  readonly body: number;
  readonly bodyLength: number;
}

function reader(bytes: Uint8Array) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const field = (table: number, index: number): number => {
    const vtable = table - view.getInt32(table, true);
    const slot = 4 + 2 * index;
    if (slot >= view.getInt16(vtable, true)) return 0;
    const offset = view.getInt16(vtable + slot, true);
    return offset === 0 ? 0 : table + offset;
  };
  const ref = (at: number): number => at + view.getUint32(at, true);
  const vector = (table: number, index: number): { at: number; count: number } => {
    const at = field(table, index);
    if (at === 0) return { at: 0, count: 0 };
    const start = ref(at);
    return { at: start + 4, count: view.getInt32(start, true) };
  };
  return { view, field, ref, vector };
}

function isFile(bytes: Uint8Array): boolean {
  return new TextDecoder().decode(bytes.subarray(0, 6)) === 'ARROW1';
}

/** Start of the footer of an Arrow file (the end of the messages). */
export function footerStart(bytes: Uint8Array): number {
  const { view } = reader(bytes);
  return bytes.length - 10 - view.getInt32(bytes.length - 10, true);
}

/** The record batch messages, in order (a file's are found by walking its messages, as written). */
export function recordBatches(bytes: Uint8Array): BatchLayout[] {
  const { view, field, ref, vector } = reader(bytes);
  const end = isFile(bytes) ? footerStart(bytes) : bytes.length;
  const batches: BatchLayout[] = [];
  let at = isFile(bytes) ? 8 : 0;
  while (at + 8 <= end) {
    let length = view.getInt32(at, true);
    let start = at + 4;
    if (length === -1) {
      length = view.getInt32(start, true);
      start += 4;
    }
    if (length <= 0) break;
    const message = ref(start);
    const kind = view.getUint8(field(message, 1));
    const header = ref(field(message, 2));
    const bodyAt = field(message, 3);
    const bodyLength = bodyAt === 0 ? 0 : Number(view.getBigInt64(bodyAt, true));
    if (kind === 3) {
      const nodes = vector(header, 1);
      const buffers = vector(header, 2);
      const lengthAt = field(header, 0);
      batches.push({ length: lengthAt === 0 ? null : lengthAt, nodes: nodes.at, nodeCount: nodes.count, buffers: buffers.at, bufferCount: buffers.count, body: start + length, bodyLength });
    }
    at = start + length + bodyLength;
  }
  return batches;
}

/** Position of the int32 count of a footer's record batch blocks (field 3 of the Footer table). */
export function footerBatchCount(bytes: Uint8Array): number {
  const { field, ref } = reader(bytes);
  const footer = ref(footerStart(bytes));
  return ref(field(footer, 3));
}

/** A copy of the bytes with a little-endian integer of `size` bytes written at `at`. */
export function patch(bytes: Uint8Array, at: number, value: number | bigint, size: 4 | 8 = 8): Uint8Array {
  const copy = new Uint8Array(bytes); // a copy even of a Node Buffer, whose slice() is a view
  const view = new DataView(copy.buffer);
  if (size === 8) view.setBigInt64(at, BigInt(value), true);
  else view.setInt32(at, Number(value), true);
  return copy;
}

/** Where buffer `k` of a batch lies in the bytes, and how long it is. */
export function bufferAt(bytes: Uint8Array, batch: BatchLayout, k: number): { at: number; length: number } {
  const { view } = reader(bytes);
  return { at: batch.body + Number(view.getBigInt64(batch.buffers + 16 * k, true)), length: Number(view.getBigInt64(batch.buffers + 16 * k + 8, true)) };
}
