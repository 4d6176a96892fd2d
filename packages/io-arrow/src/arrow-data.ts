/**
 * The check of what apache-arrow built from a file, before a value is read: it views the file's
 * buffers without comparing them with the lengths the metadata claims, so a column can claim
 * 400 million rows over 24 bytes, offsets can point past the text, a dictionary index past the
 * dictionary. The frame was checked before (see `arrow-layout.ts`); this checks each type's buffers.
 */
import { DataType, Type, type Data, type Vector } from 'apache-arrow';

/** At most how many bytes of text a view column may refer to per byte it stores (views may share text). */
const VIEW_REUSE = 16;

/**
 * Whether a column of this type holds one flat value per row (a number, text, bytes, a boolean,
 * a date or time, or a dictionary of those), as a {@link Table} column can.
 */
export function isFlatType(type: DataType): boolean {
  if (DataType.isDictionary(type)) return isFlatType(type.dictionary) && !DataType.isDictionary(type.dictionary);
  return !isNested(type);
}

function isNested(type: DataType): boolean {
  return DataType.isList(type) || DataType.isLargeList(type) || DataType.isFixedSizeList(type) || DataType.isStruct(type) || DataType.isMap(type) || DataType.isUnion(type);
}

/**
 * Checks one chunk of a flat column (see {@link isFlatType}): the validity bitmap, values, offsets
 * and views are long enough for its length, offsets rise and stay inside the data, views and
 * dictionary indices point at what exists; each dictionary is checked once (`checked`). `fail`
 * throws, given what is wrong after `where` (e.g. `column "x" in record batch 2`).
 */
export function checkColumnData(data: Data, where: string, fail: (detail: string) => never, checked: Set<Vector>): void {
  const { type, length, offset } = data;
  const end = offset + length;
  const need = (what: string, needed: number, has: number): void => {
    if (has < needed) fail(`${where}: ${length} rows of ${type} need ${needed} ${what}; the buffer has ${has}`);
  };
  const bitmap = data.nullBitmap ?? new Uint8Array(0);
  if (bitmap.byteLength > 0) need('bytes of validity bitmap', Math.ceil(end / 8), bitmap.byteLength);
  const valid = (row: number): boolean => bitmap.byteLength === 0 || ((bitmap[row >> 3] as number) >> (row & 7)) % 2 === 1;
  const values = data.values as ArrayLike<number | bigint> & ArrayBufferView;
  switch (type.typeId) {
    case Type.Null:
      return;
    case Type.Bool:
      return need('bytes of values', Math.ceil(end / 8), values.byteLength);
    case Type.Utf8:
    case Type.LargeUtf8:
    case Type.Binary:
    case Type.LargeBinary:
      return checkOffsets(data.valueOffsets, offset, end, values.byteLength, where, fail);
    case Type.Utf8View:
    case Type.BinaryView:
      need('bytes of views', end * 16, values.byteLength);
      return checkViews(data, valid, where, fail);
    case Type.Dictionary: {
      need('bytes of indices', end * (values as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT, values.byteLength);
      const dictionary = data.dictionary;
      if (dictionary === undefined) return fail(`${where}: the dictionary is missing (no dictionary batch before the record batch)`);
      if (!checked.has(dictionary)) {
        checked.add(dictionary);
        dictionary.data.forEach((chunk) => checkColumnData(chunk, `${where}, its dictionary`, fail, checked));
      }
      for (let row = offset; row < end; row++) {
        const index = Number(values[row]);
        if (valid(row) && !(index >= 0 && index < dictionary.length)) fail(`${where}: row ${row - offset + 1} refers to dictionary entry ${index}; the dictionary has ${dictionary.length}`);
      }
      return;
    }
    default: {
      // Fixed width: integers, floats, decimals, dates, times, timestamps, intervals, durations, fixed-size binary.
      if (isNested(type) || !(data.stride >= 1)) return fail(`${where}: values of type ${type} cannot be read as a table column`);
      return need('bytes of values', end * data.stride * (values as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT, values.byteLength);
    }
  }
}

/** Offsets of rows `[start, end)`: end - start + 1 of them, rising from 0 or more to at most `limit`. */
function checkOffsets(offsets: ArrayLike<number | bigint> | undefined, start: number, end: number, limit: number, where: string, fail: (detail: string) => never): void {
  if (end === start) return;
  const count = offsets?.length ?? 0;
  if (offsets === undefined || count < end + 1) return fail(`${where}: ${end - start} rows need ${end + 1} offsets; the buffer has ${count}`);
  let previous = Number(offsets[start]);
  if (previous < 0) fail(`${where}: row 1 starts at offset ${previous}`);
  for (let row = start + 1; row <= end; row++) {
    const next = Number(offsets[row]);
    if (next < previous) fail(`${where}: row ${row - start} ends at offset ${next}, before it starts (${previous})`);
    previous = next;
  }
  if (previous > limit) fail(`${where}: offsets reach byte ${previous}; the data has ${limit} bytes`);
}

/** Views of 16 bytes: a length, then the text inline (up to 12 bytes) or a buffer index and offset. */
function checkViews(data: Data, valid: (row: number) => boolean, where: string, fail: (detail: string) => never): void {
  const views = data.values as Uint8Array;
  const view = new DataView(views.buffer, views.byteOffset, views.byteLength);
  const buffers = data.variadicBuffers;
  let referred = 0;
  for (let row = data.offset; row < data.offset + data.length; row++) {
    if (!valid(row)) continue;
    const length = view.getInt32(16 * row, true);
    if (length < 0) fail(`${where}: row ${row - data.offset + 1} has a length of ${length}`);
    if (length <= 12) continue;
    const index = view.getInt32(16 * row + 8, true);
    const start = view.getInt32(16 * row + 12, true);
    const size = buffers[index]?.byteLength;
    if (size === undefined || start < 0 || start + length > size) {
      fail(`${where}: row ${row - data.offset + 1} refers to bytes ${start} to ${start + length} of data buffer ${index}, which ${size === undefined ? 'does not exist' : `has ${size} bytes`}`);
    }
    referred += length;
  }
  const stored = views.byteLength + buffers.reduce((sum, buffer) => sum + buffer.byteLength, 0);
  if (referred > VIEW_REUSE * stored) fail(`${where}: its views refer to ${referred} bytes of text, more than ${VIEW_REUSE} times the ${stored} bytes it stores`);
}
