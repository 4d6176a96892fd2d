import { readFileSync } from 'node:fs';
import { CombatError } from '@combat/base';
import { fixturePath } from '@combat/test-support';
import {
  Dictionary,
  Field,
  Float64,
  Int32,
  List,
  Null,
  RecordBatch,
  Schema,
  Struct,
  Table as ArrowTable,
  Utf8,
  makeData,
  tableToIPC,
  vectorFromArray,
} from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { decodeLz4Frame } from '../src/codecs.js';
import { TableFormatError, decodeArrowTable, numericValues } from '../src/index.js';
import { bufferAt, footerBatchCount, patch, recordBatches } from './arrow-bytes.js';

const LZ4 = readFileSync(fixturePath('arrow-interop', '2.0.0-compression_generated_lz4.arrow_file'));

/** Columns a (float64 with a null), s (utf8 with a null), d (dictionary of utf8). */
function sample(kind: 'file' | 'stream'): Uint8Array {
  const table = new ArrowTable({
    a: vectorFromArray([1.5, 2, null], new Float64()),
    s: vectorFromArray(['x', null, 'zz'], new Utf8()),
    d: vectorFromArray(['p', 'q', 'p'], new Dictionary(new Utf8(), new Int32())),
  });
  return tableToIPC(table, kind);
}

/** An Arrow file whose schema has the given column names, every column float64 [1, 2]. */
function withNames(names: string[]): Uint8Array {
  const schema = new Schema(names.map((name) => new Field(name, new Float64(), true)));
  const children = names.map(() => vectorFromArray([1, 2], new Float64()).data[0]!);
  const batch = new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: 2, nullCount: 0, children }));
  return tableToIPC(new ArrowTable([batch]), 'file');
}

/** The TableFormatError a decode throws (fails the test when it throws nothing or something else). */
function refusal(bytes: Uint8Array, source = 'x.arrow'): TableFormatError {
  try {
    decodeArrowTable(bytes, { source });
  } catch (error) {
    expect(error).toBeInstanceOf(TableFormatError);
    expect(error).toBeInstanceOf(CombatError);
    expect((error as TableFormatError).code).toBe('TABLE_FORMAT');
    expect((error as Error).message.startsWith(`${source}: `)).toBe(true);
    return error as TableFormatError;
  }
  throw new Error('expected a TableFormatError');
}

describe('Arrow column names', () => {
  it('two fields of the same name are refused, as in CSV', () => {
    expect(refusal(withNames(['subject', 'a', 'a'])).message).toBe('x.arrow: column "a" appears twice (columns 2 and 3); names must be unique');
  });

  it('an empty or blank field name is refused', () => {
    expect(refusal(withNames(['a', ''])).message).toBe('x.arrow: column 2 has no name; every column needs one');
    expect(refusal(withNames([' ', 'b'])).message).toBe('x.arrow: column 1 has no name; every column needs one');
  });
});

describe('Arrow sizes are checked against the bytes before anything is allocated', () => {
  for (const kind of ['file', 'stream'] as const) {
    it(`a record batch claiming 400 million rows over its 3 (${kind})`, () => {
      const bytes = sample(kind);
      const [batch] = recordBatches(bytes);
      expect(refusal(patch(bytes, batch!.length!, 400_000_000)).message).toBe(
        'x.arrow: not a readable Arrow IPC file or stream: column "a" has 3 rows in record batch 1; the batch has 400000000',
      );
    });

    it(`every column claiming 400 million rows over small buffers, in bounded memory (${kind})`, () => {
      const bytes = sample(kind);
      const [batch] = recordBatches(bytes);
      let lying = patch(bytes, batch!.length!, 400_000_000);
      for (let k = 0; k < batch!.nodeCount; k++) lying = patch(lying, batch!.nodes + 16 * k, 400_000_000);
      const before = process.memoryUsage();
      expect(refusal(lying).message).toMatch(/^x\.arrow: column "a" in record batch 1: 400000000 rows of Float64 need \d+ bytes of (validity bitmap|values); the buffer has \d+$/);
      const after = process.memoryUsage();
      expect(after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers)).toBeLessThan(64 * 2 ** 20);
    });
  }

  it('a column of nulls claiming more rows than a bit per byte of the file', () => {
    const bytes = tableToIPC(new ArrowTable({ n: vectorFromArray([null, null, null], new Null()) }), 'stream');
    const [batch] = recordBatches(bytes);
    const lying = patch(patch(bytes, batch!.length!, 2 ** 40), batch!.nodes, 2 ** 40);
    expect(refusal(lying).message).toBe(`x.arrow: 1099511627776 rows of nothing but nulls in ${bytes.length} bytes`);
  });

  it('a footer claiming 268 million record batches (apache-arrow would loop over them)', () => {
    const bytes = sample('file');
    expect(refusal(patch(bytes, footerBatchCount(bytes), 0x0fffffff, 4)).message).toMatch(
      /^x\.arrow: not a readable Arrow IPC file or stream: metadata has a vector of 268435455 entries of 24 bytes at byte \d+, past the end of its \d+ bytes$/,
    );
  });

  it('a footer listing one record batch twice (apache-arrow would decode it twice)', () => {
    const half = () => new ArrowTable({ a: vectorFromArray([1, 2], new Float64()) });
    const bytes = tableToIPC(half().concat(half()), 'file');
    const blocks = footerBatchCount(bytes) + 4;
    const first = new DataView(bytes.buffer, bytes.byteOffset).getBigInt64(blocks, true);
    expect(refusal(patch(bytes, blocks + 24, first)).message).toBe(`x.arrow: not a readable Arrow IPC file or stream: record batch 2 at byte ${first} overlaps record batch 1`);
  });

  it('a buffer past the end of the message body (apache-arrow would cut it short)', () => {
    const bytes = sample('stream');
    const [batch] = recordBatches(bytes);
    expect(refusal(patch(bytes, batch!.buffers + 16 * 1, batch!.bodyLength)).message).toMatch(
      /^x\.arrow: not a readable Arrow IPC file or stream: column "a" in record batch 1: a buffer of 24 bytes at \d+ lies outside the message body of \d+ bytes$/,
    );
  });

  it('text offsets beyond the text, and a dictionary index beyond the dictionary', () => {
    const bytes = sample('stream');
    const [batch] = recordBatches(bytes);
    const offsets = bufferAt(bytes, batch!, 3); // s: validity, offsets, data
    expect(refusal(patch(bytes, offsets.at + 12, 1000, 4)).message).toBe('x.arrow: column "s" in record batch 1: offsets reach byte 1000; the data has 8 bytes');
    expect(refusal(patch(bytes, offsets.at + 4, -5, 4)).message).toBe('x.arrow: column "s" in record batch 1: row 1 ends at offset -5, before it starts (0)');
    const indices = bufferAt(bytes, batch!, 6); // d: validity, indices
    expect(refusal(patch(bytes, indices.at + 4, 7, 4)).message).toBe('x.arrow: column "d" in record batch 1: row 2 refers to dictionary entry 7; the dictionary has 2');
  });

  it('a compressed buffer declaring more than its codec can expand to', () => {
    const [batch] = recordBatches(LZ4);
    const k = Array.from({ length: batch!.bufferCount }, (_, j) => j).find((j) => bufferAt(LZ4, batch!, j).length > 8)!;
    expect(refusal(patch(LZ4, bufferAt(LZ4, batch!, k).at, 2 ** 40)).message).toMatch(
      /^x\.arrow: not a readable Arrow IPC file or stream: column "\w+" in record batch 1: a compressed buffer of \d+ bytes declares 1099511627776 bytes uncompressed; LZ4 expands at most 256-fold$/,
    );
  });

  it('an LZ4 frame lying about its content or block sizes is refused without allocating what it claims', () => {
    const frame = (flags: number, blocks: number[], content?: bigint): Uint8Array => {
      const header = [0x04, 0x22, 0x4d, 0x18, flags, 0x40];
      const size = content === undefined ? [] : Array.from(new Uint8Array(BigUint64Array.of(content).buffer));
      return Uint8Array.from([...header, ...size, 0, ...blocks, 0, 0, 0, 0]);
    };
    const abc = [3, 0, 0, 0x80, 0x61, 0x62, 0x63]; // one stored block: "abc"
    expect(new TextDecoder().decode(decodeLz4Frame(frame(0x40, abc)))).toBe('abc');
    expect(() => decodeLz4Frame(frame(0x48, abc, 2n ** 40n))).toThrow('LZ4 frame decodes to 3 bytes; its header says 1099511627776');
    expect(() => decodeLz4Frame(frame(0x40, [0xff, 0xff, 0xff, 0xff, 0x61]))).toThrow(/LZ4 block of 2147483647 bytes at byte 7 does not fit the frame/);
  });
});

describe('Arrow columns', () => {
  it('a nested column (a list per row) is refused rather than turned into text', () => {
    const list = vectorFromArray([[1, 2], [3]], new List(new Field('item', new Int32(), true)));
    const bytes = tableToIPC(new ArrowTable({ id: vectorFromArray(['a', 'b'], new Utf8()), values: list }), 'file');
    expect(refusal(bytes).message).toBe('x.arrow: column "values" holds List<Int32> values; a table column holds one number, text, boolean, date or time per row');
  });

  it('an infinite value makes a float column non-numeric, as in CSV; NaN and null are missing', () => {
    const bytes = tableToIPC(new ArrowTable({ a: vectorFromArray([1.5, Infinity, NaN, null], new Float64()) }), 'file');
    const table = decodeArrowTable(bytes, { source: 'x.arrow' });
    const column = table.columns.get('a')!;
    expect(column.numbers).toBeNull();
    expect(column.cells).toEqual(['1.5', 'Infinity', null, null]);
    expect(() => numericValues(table, column)).toThrow(new TableFormatError('x.arrow: row 2, column "a": "Infinity" is not a number'));
    const finite = decodeArrowTable(tableToIPC(new ArrowTable({ a: vectorFromArray([1.5, NaN, null], new Float64()) }), 'file'), { source: 'y.arrow' }).columns.get('a')!;
    expect(Array.from(finite.numbers!)).toEqual([1.5, NaN, NaN]);
  });

  it('numeric columns make their text cells only when asked', () => {
    const column = decodeArrowTable(sample('file'), { source: 'x.arrow' }).columns.get('a')!;
    expect(typeof Object.getOwnPropertyDescriptor(column, 'cells')?.get).toBe('function');
    expect(Array.from(column.numbers!)).toEqual([1.5, 2, NaN]);
    expect(column.cells).toEqual(['1.5', '2', null]);
    expect(column.cells).toBe(column.cells);
  });

  it('a dictionary column reads its values as text', () => {
    const column = decodeArrowTable(sample('stream'), { source: 'x.arrow' }).columns.get('d')!;
    expect(column.cells).toEqual(['p', 'q', 'p']);
    expect(column.numbers).toBeNull();
  });

  it('a utf8 column is not numeric by type, and says so rather than naming no cell', () => {
    const table = decodeArrowTable(tableToIPC(new ArrowTable({ a: vectorFromArray(['1.5', '2'], new Utf8()) }), 'file'), { source: 'x.arrow' });
    expect(() => numericValues(table, table.columns.get('a')!)).toThrow(new TableFormatError('x.arrow: column "a" is not numeric (its Arrow type is Utf8); expected numbers'));
  });
});
