import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CombatError, InputReadError, InvalidArgumentError } from '@combat/base';
import { COMBAT_CASES, fixturePath, temporaryFolder } from '@combat/test-support';
import { Dictionary, Field, Float64, Int32, RecordBatch, Schema, Struct, Table as ArrowTable, Utf8, makeData, tableFromIPC, tableToIPC, vectorFromArray, type DataType } from 'apache-arrow';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readArrowChunks } from '../src/arrow-chunks.js';
import type { ByteSource } from '../src/byte-source.js';
import { readDelimitedChunks } from '../src/delimited-chunks.js';
import { TableEncoder, TableFormatError, decodeArrowTable, decodeTableText, encodeArrowTable, formatDelimited, parseDelimited, tableFromColumns, tableMatrix, type ArrowColumn, type Table } from '../src/index.js';
import { openTable, readTable } from '../src/node.js';

/**
 * Tables read and written a chunk at a time are the tables read and written whole: the same
 * columns, cells and numbers, the same messages naming the same rows, lines and byte offsets,
 * the same bytes written; whatever the chunk size and however the reads are cut.
 */

const SOURCE = 'chunked';
const dir = await temporaryFolder('table-chunks');
const ARROW_FIXTURES = ['2.0.0-compression_generated_lz4.arrow_file', '2.0.0-compression_generated_zstd.arrow_file', '2.0.0-compression_generated_zstd.stream', 'cpp-21.0.0_generated_primitive.arrow_file'].map(
  (name) => new Uint8Array(readFileSync(fixturePath('arrow-interop', name))),
);

/** Bytes in memory, read in pieces of the sizes given in turn (cycling), never more than asked. */
function piecewise(bytes: Uint8Array, pieces: readonly number[] = [1 << 30]): ByteSource {
  let k = 0;
  return {
    size: bytes.length,
    read: async (position, length) => bytes.slice(position, position + Math.min(length, Math.max(1, pieces[k++ % pieces.length] as number))),
  };
}

/** Every chunk after the header, each checked to start where the previous ended. */
async function collect(chunks: AsyncGenerator<Table>): Promise<{ header: Table; chunks: Table[] }> {
  const header = (await chunks.next()).value as Table;
  expect(header.rows).toBe(0);
  const rest: Table[] = [];
  for await (const chunk of chunks) {
    expect(chunk.firstRow).toBe(rest.reduce((sum, c) => sum + c.rows, 0));
    expect(chunk.names).toEqual(header.names);
    rest.push(chunk);
  }
  // The header has no rows, whatever was read after it.
  for (const name of header.names) expect(header.columns.get(name)!.cells).toEqual([]);
  expect(rest.length).toBeGreaterThan(0);
  if (rest.length > 1) for (const chunk of rest) expect(chunk.rows).toBeGreaterThan(0);
  return { header, chunks: rest };
}

/** What a table holds, comparable: per column its cells, text as read, numbers (NaN as null) and Arrow type. */
function snapshot(table: Table): unknown {
  return {
    names: table.names,
    rows: table.rows,
    columns: table.names.map((name) => {
      const column = table.columns.get(name)!;
      return {
        cells: [...column.cells],
        raw: column.raw === undefined ? undefined : [...column.raw],
        numbers: column.numbers === null ? null : Array.from(column.numbers, (x) => (Number.isNaN(x) ? null : Object.is(x, -0) ? '-0' : x)),
        type: 'vector' in column ? String((column as ArrowColumn).vector.type) : undefined,
      };
    }),
  };
}

/** The chunks' columns end to end, as one snapshot. */
function joined(header: Table, chunks: readonly Table[]): unknown {
  const parts = chunks.map((chunk) => snapshot(chunk) as { columns: { cells: unknown[]; raw?: unknown[]; numbers: unknown[] | null; type?: string }[] });
  return {
    names: header.names,
    rows: chunks.reduce((sum, chunk) => sum + chunk.rows, 0),
    columns: header.names.map((_, k) => ({
      cells: parts.flatMap((part) => part.columns[k]!.cells),
      raw: parts[0]!.columns[k]!.raw === undefined ? undefined : parts.flatMap((part) => part.columns[k]!.raw!),
      numbers: parts.some((part) => part.columns[k]!.numbers === null) ? null : parts.flatMap((part) => part.columns[k]!.numbers!),
      type: parts[0]!.columns[k]!.type,
    })),
  };
}

/** The outcome of a read: the table's snapshot, or the error's name and message. */
async function outcome(read: () => Promise<unknown> | unknown): Promise<{ value?: unknown; error?: { name: string; message: string } }> {
  try {
    return { value: await read() };
  } catch (error) {
    expect(error, String((error as Error)?.stack)).toBeInstanceOf(CombatError);
    return { error: { name: (error as Error).name, message: (error as Error).message } };
  }
}

async function readDelimited(bytes: Uint8Array, delimiter: ',' | '\t', chunkBytes: number, pieces?: number[]): Promise<unknown> {
  const { header, chunks } = await collect(readDelimitedChunks(piecewise(bytes, pieces), delimiter, { source: SOURCE, chunkBytes }));
  return joined(header, chunks);
}

async function readArrow(bytes: Uint8Array, chunkBytes: number, pieces?: number[]): Promise<unknown> {
  const { header, chunks } = await collect(readArrowChunks(piecewise(bytes, pieces), { source: SOURCE, chunkBytes }));
  return joined(header, chunks);
}

function wholeDelimited(bytes: Uint8Array, delimiter: ',' | '\t'): unknown {
  return snapshot(parseDelimited(decodeTableText(bytes, { source: SOURCE }), { source: SOURCE, delimiter }));
}

/** The lines with line `k` replaced. */
function replaced(lines: readonly string[], k: number, line: string): string[] {
  return lines.map((other, i) => (i === k ? line : other));
}

// ---------------------------------------------------------------------------------------------
// CSV and TSV

const cell = fc.string({ unit: fc.constantFrom('a', 'Z', '0', '7', '.', '-', 'e', ' ', ',', '\t', '"', '\n', '\r', 'é', '漢', '😀', 'NA', '1e400', '0001'), maxLength: 6 });
const number = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }).map(String), fc.integer().map(String), fc.constantFrom('', 'NA', ' 3.5 ', '-0'));

/** A field as a writer quotes it (always when asked to, to have quotes anywhere). */
function field(text: string, delimiter: string, quote: boolean): string {
  return quote || text === '' || text.includes(delimiter) || /["\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function encodeText(text: string, encoding: string): Uint8Array {
  if (encoding.startsWith('utf-8')) return new TextEncoder().encode(encoding === 'utf-8-bom' ? `\uFEFF${text}` : text);
  const bytes = new Uint8Array(2 + 2 * text.length);
  const view = new DataView(bytes.buffer);
  view.setUint16(0, 0xfeff, encoding === 'utf-16le');
  for (let i = 0; i < text.length; i++) view.setUint16(2 + 2 * i, text.charCodeAt(i), encoding === 'utf-16le');
  return bytes;
}

const delimitedText = fc
  .record({
    columns: fc.integer({ min: 1, max: 4 }),
    rows: fc.integer({ min: 0, max: 12 }),
    numeric: fc.boolean(),
    delimiter: fc.constantFrom(',', '\t') as fc.Arbitrary<',' | '\t'>,
    lineEnd: fc.constantFrom('\n', '\r\n', '\r'),
    blankLines: fc.boolean(),
    encoding: fc.constantFrom('utf-8', 'utf-8-bom', 'utf-16le', 'utf-16be'),
  })
  .chain((shape) =>
    fc.record({
      shape: fc.constant(shape),
      cells: fc.array(fc.array(shape.numeric ? number : cell, { minLength: shape.columns, maxLength: shape.columns }), { minLength: shape.rows, maxLength: shape.rows }),
      quotes: fc.array(fc.boolean(), { minLength: 64, maxLength: 64 }),
    }),
  )
  .map(({ shape, cells, quotes }) => {
    const names = Array.from({ length: shape.columns }, (_, k) => `c${k}`);
    let q = 0;
    const lines = [names, ...cells].map((row) => row.map((text) => field(text, shape.delimiter, quotes[q++ % 64] as boolean)).join(shape.delimiter));
    const text = lines.flatMap((line, k) => (shape.blankLines && k % 3 === 1 ? [line, ''] : [line])).join(shape.lineEnd) + shape.lineEnd;
    return { bytes: encodeText(text, shape.encoding), delimiter: shape.delimiter };
  });

const malformed = fc
  .array(fc.constantFrom('a', 'b', '1', '2.5', 'NA', ',', ';', '\t', '"', '""', '\n', '\r', '\r\n', '\uFEFF', '\0', 'é', '😀', ' ', 'x"y', '\uD800'), { maxLength: 60 })
  .map((tokens) => tokens.join(''));

const pieces = fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 5 });

describe('CSV and TSV a chunk at a time', () => {
  it('well-formed text: the chunks end to end are the table read whole, whatever the chunk size and the reads', async () => {
    await fc.assert(
      fc.asyncProperty(delimitedText, fc.integer({ min: 1, max: 40 }), pieces, async ({ bytes, delimiter }, chunkBytes, sizes) => {
        expect(await readDelimited(bytes, delimiter, chunkBytes, sizes)).toEqual(wholeDelimited(bytes, delimiter));
      }),
      { numRuns: 300 },
    );
  });

  it('malformed text and bytes: refused with the message the whole read gives, or read to the same table', async () => {
    const bytes = fc.oneof(
      malformed.map((text) => new TextEncoder().encode(text)),
      fc.tuple(malformed, fc.constantFrom('utf-16le', 'utf-16be')).map(([text, encoding]) => encodeText(text, encoding)),
      fc.uint8Array({ maxLength: 48 }),
    );
    await fc.assert(
      fc.asyncProperty(bytes, fc.constantFrom(',', '\t') as fc.Arbitrary<',' | '\t'>, fc.integer({ min: 1, max: 30 }), pieces, async (content, delimiter, chunkBytes, sizes) => {
        const whole = await outcome(() => wholeDelimited(content, delimiter));
        const chunked = await outcome(() => readDelimited(content, delimiter, chunkBytes, sizes));
        if (whole.error === undefined) expect(chunked).toEqual(whole);
        else {
          // With several faults, the chunks meet a later one first only when it lies in an earlier chunk.
          expect(chunked.error?.name).toBe('TableFormatError');
          expect(chunked.error?.message.startsWith(`${SOURCE}: `)).toBe(true);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('one fault far into a file is named by the file row, line or byte offset the whole read names', async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => `s${i},${i % 3},${(i * 0.37).toFixed(3)}`);
    const faults: [string, (lines: string[]) => string[]][] = [
      ['a ragged row', (lines) => replaced(lines, 2500, 's2499,1')],
      ['an unterminated quote', (lines) => replaced(lines, 2700, 's2699,"1,2')],
      ['a malformed quote', (lines) => replaced(lines, 2200, 's2199,"1"x,2')],
      ['a NUL byte', (lines) => replaced(lines, 2900, 's2899,1\0,2')],
      ['an empty file', () => []],
      ['a header of semicolons', (lines) => ['subject;site;x', ...lines.slice(1)]],
      ['a repeated column', (lines) => ['subject,site,subject', ...lines.slice(1)]],
    ];
    for (const [what, fault] of faults) {
      const text = fault(['subject,site,x', ...rows]).join('\n');
      const whole = await outcome(() => wholeDelimited(new TextEncoder().encode(text), ','));
      expect(whole.error, what).toBeDefined();
      expect(await outcome(() => readDelimited(new TextEncoder().encode(text), ',', 500, [4096])), what).toEqual(whole);
    }
    const latin1 = new TextEncoder().encode(['subject,site,x', ...rows].join('\n'));
    latin1[50_000] = 0xf6;
    expect(await outcome(() => readDelimited(latin1, ',', 500, [4096]))).toEqual(await outcome(() => wholeDelimited(latin1, ',')));
    const utf16 = encodeText(['subject,site,x', ...rows].join('\n'), 'utf-16le');
    utf16.set([0x00, 0xdc], 40_000);
    expect(await outcome(() => readDelimited(utf16, ',', 500, [4095]))).toEqual(await outcome(() => wholeDelimited(utf16, ',')));
  });

  it('columns read as numbers, or some columns kept: the chunks, numbers, matrices, messages and written bytes are those of the whole text', async () => {
    /**
     * Each chunk as the passes over a table use it, read with `options` and seen through the
     * columns `view` names (absent: all): its columns, its matrix of `numbers` (or the message),
     * its bytes written with them replaced.
     */
    const passes = async (bytes: Uint8Array, delimiter: ',' | '\t', read: { chunkBytes: number; sizes: number[] }, numbers: string[], options: { numbers?: string[]; columns?: string[] }, view?: string[]): Promise<unknown[]> => {
      const chunks = readDelimitedChunks(piecewise(bytes, read.sizes), delimiter, { source: SOURCE, chunkBytes: read.chunkBytes, ...options });
      await chunks.next();
      const seen: unknown[] = [];
      const encoder = new TableEncoder(delimiter === ',' ? 'csv' : 'tsv');
      for await (const whole of chunks) {
        const names = whole.names.filter((name) => view === undefined || view.includes(name));
        const chunk: Table = { ...whole, names, columns: new Map(names.map((name) => [name, whole.columns.get(name)!])) };
        const wanted = numbers.filter((name) => names.includes(name));
        const text = snapshot(chunk) as { columns: { cells: unknown; raw?: unknown; numbers: unknown }[] };
        const columns = names.map((name, k) => (wanted.includes(name) ? { numbers: text.columns[k]!.numbers } : text.columns[k]));
        const matrix = await outcome(() => tableMatrix(chunk, wanted, names.length === 0 ? {} : { idColumn: names[0]! }).data);
        const written = matrix.error === undefined && names.length > 0 ? new TextDecoder().decode(encoder.encode(chunk, replacement(chunk, wanted))) : null;
        seen.push({ names, rows: chunk.rows, firstRow: chunk.firstRow, columns, matrix, written });
      }
      return seen;
    };
    const numbers = fc.subarray(['c0', 'c1', 'c2', 'c3', 'elsewhere']);
    const kept = fc.option(fc.subarray(['c0', 'c1', 'c2', 'c3']), { nil: undefined });
    await fc.assert(
      fc.asyncProperty(delimitedText, fc.integer({ min: 1, max: 40 }), pieces, numbers, kept, async ({ bytes, delimiter }, chunkBytes, sizes, names, columns) => {
        const read = { chunkBytes, sizes };
        const options = { numbers: names, ...(columns === undefined ? {} : { columns }) };
        expect(await outcome(() => passes(bytes, delimiter, read, names, options))).toEqual(await outcome(() => passes(bytes, delimiter, read, names, {}, columns)));
      }),
      { numRuns: 300 },
    );
    // Malformed text: the same message, or the same chunks.
    await fc.assert(
      fc.asyncProperty(malformed, fc.constantFrom(',', '\t') as fc.Arbitrary<',' | '\t'>, fc.integer({ min: 1, max: 30 }), pieces, async (text, delimiter, chunkBytes, sizes) => {
        const bytes = new TextEncoder().encode(text);
        const names = ['a', 'b', '1', '2.5', 'NA', 'ab'];
        const read = { chunkBytes, sizes };
        expect(await outcome(() => passes(bytes, delimiter, read, names, { numbers: names }))).toEqual(await outcome(() => passes(bytes, delimiter, read, names, {})));
      }),
      { numRuns: 300 },
    );
  });

  it('a cell that is not a number in a feature column of a late chunk names the file row, column and subject', async () => {
    const lines = ['subject,site,x', ...Array.from({ length: 2000 }, (_, i) => `s${i},A,${i}.5`)];
    lines[1700] = 's1699,A,abc';
    const path = join(dir, 'late-text.csv');
    await writeFile(path, lines.join('\n'));
    const whole = await outcome(() => readTable(path).then((table) => tableMatrix(table, ['x'], { idColumn: 'subject' })));
    const file = await openTable(path, { chunkBytes: 200 });
    for (const numbers of [undefined, ['x']]) {
      const chunked = await outcome(async () => {
        for await (const chunk of file.chunks(numbers === undefined ? {} : { numbers })) tableMatrix(chunk, ['x'], { idColumn: 'subject' });
      });
      expect(chunked).toEqual(whole);
    }
    expect(whole.error?.message).toBe(`${path}: row 1700 (subject "s1699"), column "x": "abc" is not a number`);
  });
});

// ---------------------------------------------------------------------------------------------
// Arrow

type Kind = 'float64' | 'int32' | 'utf8' | 'dictionary';
const TYPES: Record<Kind, () => DataType> = { float64: () => new Float64(), int32: () => new Int32(), utf8: () => new Utf8(), dictionary: () => new Dictionary(new Utf8(), new Int32(), 0) };
const VALUES: Record<Kind, fc.Arbitrary<unknown>> = {
  float64: fc.oneof(fc.double(), fc.constant(null)),
  int32: fc.oneof(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.constant(null)),
  utf8: fc.oneof(fc.string({ maxLength: 4 }), fc.constant(null)),
  dictionary: fc.oneof(fc.constantFrom('siteA', 'siteB', 'é'), fc.constant(null)),
};

/** An Arrow file or stream of several record batches (one dictionary column at most: one dictionary for all). */
const arrowFile = fc
  .record({
    kinds: fc.array(fc.constantFrom<Kind>('float64', 'int32', 'utf8', 'dictionary'), { minLength: 1, maxLength: 4 }),
    batches: fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 4 }),
    format: fc.constantFrom('file', 'stream') as fc.Arbitrary<'file' | 'stream'>,
  })
  .chain(({ kinds, batches, format }) => {
    const unique = kinds.filter((kind, k) => kind !== 'dictionary' || kinds.indexOf('dictionary') === k);
    return fc.record({
      format: fc.constant(format),
      kinds: fc.constant(unique),
      values: fc.tuple(...batches.map((rows) => fc.tuple(...unique.map((kind) => fc.array(VALUES[kind], { minLength: rows, maxLength: rows }))))),
    });
  })
  .map(({ format, kinds, values }) => {
    const schema = new Schema(kinds.map((kind, k) => new Field(`c${k}`, TYPES[kind](), true)));
    const dictionary = vectorFromArray(['siteA', 'siteB', 'é'], new Utf8());
    const batches = values.map((columns) => {
      const length = columns[0]!.length;
      const children = kinds.map((kind, k) => {
        if (kind !== 'dictionary') return vectorFromArray(columns[k]!, TYPES[kind]()).data[0]!;
        const indices = (columns[k] as (string | null)[]).map((value) => (value === null ? null : ['siteA', 'siteB', 'é'].indexOf(value)));
        return makeData({ type: schema.fields[k]!.type as Dictionary, length, nullCount: indices.filter((i) => i === null).length, nullBitmap: vectorFromArray(indices, new Int32()).data[0]!.nullBitmap, data: Int32Array.from(indices, (i) => i ?? 0), dictionary });
      });
      return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length, nullCount: 0, children }));
    });
    return tableToIPC(new ArrowTable(schema, batches), format);
  });

describe('Arrow a record batch at a time', () => {
  it('files, streams and the Arrow C++ files (LZ4, ZSTD): the chunks end to end are the table read whole', async () => {
    for (const bytes of ARROW_FIXTURES) {
      for (const chunkBytes of [1, 1 << 30]) expect(await readArrow(bytes, chunkBytes, [1000])).toEqual(snapshot(decodeArrowTable(bytes, { source: SOURCE })));
    }
    await fc.assert(
      fc.asyncProperty(arrowFile, fc.integer({ min: 1, max: 200 }), pieces, async (bytes, chunkBytes, sizes) => {
        expect(await readArrow(bytes, chunkBytes, sizes.map((size) => size * 37))).toEqual(snapshot(decodeArrowTable(bytes, { source: SOURCE })));
      }),
      { numRuns: 200 },
    );
  });

  it('mutated files: refused with a TableFormatError naming the source, or read to what the whole read gives', async () => {
    const mutated = fc.tuple(fc.oneof(arrowFile, fc.constantFrom(...ARROW_FIXTURES)), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 3 }), fc.nat()).map(([bytes, edits, cut]) => {
      const out = bytes.slice(0, bytes.length - (cut % 3 === 0 ? cut % 40 : 0));
      for (const [at, value] of edits) if (out.length > 0) out[at % out.length] = value;
      return out;
    });
    await fc.assert(
      fc.asyncProperty(mutated, fc.integer({ min: 1, max: 400 }), async (bytes, chunkBytes) => {
        const chunked = await outcome(() => readArrow(bytes, chunkBytes, [512]));
        if (chunked.error !== undefined) {
          expect(chunked.error.name).toBe('TableFormatError');
          expect(chunked.error.message.startsWith(`${SOURCE}: `)).toBe(true);
        } else expect(chunked.value).toEqual(snapshot(decodeArrowTable(bytes, { source: SOURCE })));
      }),
      { numRuns: 300 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Writing

async function encodeInChunks(path: string, format: 'csv' | 'tsv' | 'arrow', chunkBytes: number, replace: readonly string[], scan: boolean): Promise<Uint8Array> {
  const file = await openTable(path, { chunkBytes });
  const encoder = new TableEncoder(format);
  if (scan) for await (const chunk of file.chunks()) encoder.scan(chunk, replace);
  const parts: Uint8Array[] = [];
  for await (const chunk of file.chunks()) parts.push(encoder.encode(chunk, replacement(chunk, replace)));
  parts.push(encoder.finish());
  return Uint8Array.from(parts.flatMap((part) => [...part]));
}

/** The rows of each record batch of an Arrow file. */
function batchRows(bytes: Uint8Array): number[] {
  return tableFromIPC(bytes).batches.map((batch) => batch.numRows);
}

/** Replaced columns: each value of the column times 3 plus its file row (NaN where missing). */
function replacement(table: Table, names: readonly string[]): Map<string, Float64Array> {
  const matrix = tableMatrix(table, names);
  return new Map(names.map((name, v) => [name, Float64Array.from({ length: table.rows }, (_, i) => 3 * (matrix.data[i * names.length + v] as number) + (table.firstRow ?? 0) + i)]));
}

describe('writing a chunk at a time', () => {
  const cases = ['roi-parametric', 'roi-missing-parametric', 'testdata-parametric'];

  it('CSV and TSV: byte for byte what the whole table gives, at any chunk size', async () => {
    for (const name of cases) {
      const input = join(COMBAT_CASES, name, 'input.csv');
      const table = await readTable(input);
      const replace = table.names.filter((column) => /^f\d+$/.test(column));
      for (const [format, delimiter] of [['csv', ','], ['tsv', '\t']] as const) {
        const whole = new TextEncoder().encode(formatDelimited(table, replacement(table, replace), { delimiter }));
        for (const chunkBytes of [1, 500, 1 << 30]) expect(await encodeInChunks(input, format, chunkBytes, replace, false), `${name} ${format} ${chunkBytes}`).toEqual(whole);
      }
    }
  });

  it('CSV and TSV of any text: byte for byte what the whole table gives, whatever the cells and the chunks', async () => {
    const text = fc.string({ unit: fc.constantFrom('a', '1', '.', ' ', ',', '\t', '"', '\n', '\r', '\uFEFF', 'é', '=', 'NA'), maxLength: 5 });
    const table = fc.record({ columns: fc.integer({ min: 1, max: 4 }), rows: fc.integer({ min: 0, max: 8 }), delimiter: fc.constantFrom(',', '\t') as fc.Arbitrary<',' | '\t'> }).chain((shape) =>
      fc.record({
        shape: fc.constant(shape),
        cells: fc.array(fc.array(text, { minLength: shape.columns, maxLength: shape.columns }), { minLength: shape.rows, maxLength: shape.rows }),
        replaced: fc.array(fc.boolean(), { minLength: shape.columns, maxLength: shape.columns }),
        values: fc.array(fc.oneof(fc.double(), fc.constant(NaN)), { minLength: shape.rows, maxLength: shape.rows }),
      }),
    );
    await fc.assert(
      fc.asyncProperty(table, fc.integer({ min: 1, max: 30 }), async ({ shape, cells, replaced, values }, chunkBytes) => {
        const names = Array.from({ length: shape.columns }, (_, k) => `c${k}`);
        // Line ends inside cells read back as \n: written so, the text reads back to the cells.
        const original = tableFromColumns(Object.fromEntries(names.map((name, k) => [name, cells.map((row) => (row[k] as string).replace(/\r\n?/g, '\n'))])));
        const numbers = Float64Array.from(values, (x) => (Number.isFinite(x) || Number.isNaN(x) ? x : NaN));
        const replace = (first: number, rows: number) => new Map(names.filter((_, k) => replaced[k]).map((name) => [name, numbers.slice(first, first + rows)]));
        const whole = formatDelimited(original, replace(0, original.rows), { delimiter: shape.delimiter });
        const bytes = new TextEncoder().encode(formatDelimited(original, new Map(), { delimiter: shape.delimiter }));
        const encoder = new TableEncoder(shape.delimiter === ',' ? 'csv' : 'tsv');
        const chunks = readDelimitedChunks(piecewise(bytes), shape.delimiter, { source: SOURCE, chunkBytes });
        await chunks.next();
        let written = '';
        for await (const chunk of chunks) written += new TextDecoder().decode(encoder.encode(chunk, replace(chunk.firstRow ?? 0, chunk.rows)));
        expect(written).toBe(whole);
      }),
      { numRuns: 300 },
    );
  });

  it('Arrow: the bytes of the whole table for one chunk; in chunks, a record batch per chunk and the same table', async () => {
    for (const name of cases) {
      const input = join(COMBAT_CASES, name, 'input.csv');
      const table = await readTable(input);
      const replace = table.names.filter((column) => /^f\d+$/.test(column)).slice(0, 7);
      const whole = encodeArrowTable(table, replacement(table, replace));
      expect(await encodeInChunks(input, 'arrow', 1 << 30, replace, false)).toEqual(whole);
      const chunked = await encodeInChunks(input, 'arrow', 700, replace, true);
      expect(snapshot(decodeArrowTable(chunked, { source: SOURCE }))).toEqual(snapshot(decodeArrowTable(whole, { source: SOURCE })));
      // An Arrow input of several record batches, read a batch at a time: its batches, the whole table's values.
      const batched = join(dir, `${name}.arrow`);
      await writeFile(batched, chunked);
      const read = await readTable(batched);
      const again = await encodeInChunks(batched, 'arrow', 1, replace, false);
      const reference = encodeArrowTable(read, replacement(read, replace));
      expect(batchRows(again)).toEqual(batchRows(chunked));
      expect(batchRows(reference)).toEqual(batchRows(chunked));
      expect(snapshot(decodeArrowTable(again, { source: SOURCE }))).toEqual(snapshot(decodeArrowTable(reference, { source: SOURCE })));
    }
    for (const [k, bytes] of ARROW_FIXTURES.entries()) {
      const path = join(dir, `fixture-${k}.arrow`);
      await writeFile(path, bytes);
      expect(await encodeInChunks(path, 'arrow', 1, [], false)).toEqual(encodeArrowTable(await readTable(path), new Map()));
    }
  });

  it('Arrow from text: a column numeric in early chunks and text later is text, after a scan; without one, an error naming the row', async () => {
    const lines = ['subject,code,x', ...Array.from({ length: 300 }, (_, i) => `s${i},${i},${i / 4}`)];
    lines[250] = 's249,0249,62.25';
    const path = join(dir, 'late-code.csv');
    await writeFile(path, lines.join('\n'));
    const whole = encodeArrowTable(await readTable(path), new Map());
    const scanned = await encodeInChunks(path, 'arrow', 100, [], true);
    expect(String((decodeArrowTable(whole).columns.get('code') as ArrowColumn).vector.type)).toBe('Utf8');
    expect(snapshot(decodeArrowTable(scanned, { source: SOURCE }))).toEqual(snapshot(decodeArrowTable(whole, { source: SOURCE })));
    const unscanned = await outcome(() => encodeInChunks(path, 'arrow', 100, [], false));
    expect(unscanned.error).toEqual({ name: 'TableFormatError', message: expect.stringContaining(`${path}: row 250, column "code": "0249" cannot be written as a number`) });
  });

  it('refuses to write a column read as numbers unless it is replaced: its text is gone', async () => {
    const chunks = readDelimitedChunks(piecewise(new TextEncoder().encode('a,b\n1,1.50\n2,-0\n'), [64]), ',', { source: SOURCE, chunkBytes: 64, numbers: ['b'] });
    await chunks.next();
    let seen = 0;
    for await (const chunk of chunks) {
      seen++;
      expect(() => new TableEncoder('csv').encode(chunk, new Map())).toThrow(/the column "b" of .*: expected a column with its text, or a replacement/);
      expect(new TextDecoder().decode(new TableEncoder('csv').encode(chunk, new Map([['b', Float64Array.of(7, 8)]])))).toBe('a,b\n1,7\n2,8\n');
    }
    expect(seen).toBe(1);
  });

  it('refuses careless calls by name', () => {
    const table = parseDelimited('a,b\n1,2\n');
    expect(() => new TableEncoder('xlsx' as 'csv')).toThrow(InvalidArgumentError);
    expect(() => new TableEncoder('csv').finish()).toThrow(/no chunk was encoded/);
    const encoder = new TableEncoder('arrow');
    encoder.encode(table, new Map());
    expect(() => encoder.scan(table)).toThrow(/scan every chunk before the first encode/);
    expect(() => encoder.encode(parseDelimited('a\n1\n'), new Map())).toThrow(/the first chunk had a, b/);
    encoder.finish();
    expect(() => encoder.encode(table, new Map())).toThrow(/finished/);
  });
});

describe('openTable', () => {
  it('fails early on what cannot be read, and names columns that do not exist', async () => {
    await expect(openTable(join(dir, 'missing.csv'))).rejects.toThrow(InputReadError);
    await expect(openTable(dir + '/x.xlsx')).rejects.toThrow(InvalidArgumentError);
    await expect(openTable(join(dir, 'missing.csv'), { chunkBytes: 0 })).rejects.toThrow(InvalidArgumentError);
    const empty = join(dir, 'empty.csv');
    await writeFile(empty, '');
    await expect(openTable(empty)).rejects.toThrow(new TableFormatError(`${empty}: empty; expected a header row`));
    const path = join(dir, 'small.csv');
    await writeFile(path, 'subject,site\ns1,A\n');
    const file = await openTable(path);
    await expect(file.readColumns(['Site'])).rejects.toThrow(`${path}: column "Site" not found (did you mean "site"?); columns are subject, site`);
    const headerOnly = join(dir, 'header-only.tsv');
    await writeFile(headerOnly, 'subject\tsite\n');
    const chunks: Table[] = [];
    for await (const chunk of (await openTable(headerOnly)).chunks()) chunks.push(chunk);
    expect(chunks.map((chunk) => [chunk.rows, chunk.names])).toEqual([[0, ['subject', 'site']]]);
  });
});
