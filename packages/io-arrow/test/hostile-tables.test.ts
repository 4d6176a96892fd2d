import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CombatError } from '@combat/base';
import { fixturePath, temporaryFolder } from '@combat/test-support';
import { Bool, Dictionary, Field, Float64, Int32, Null, RecordBatch, Schema, Struct, Table as ArrowTable, Utf8, makeData, tableToIPC, vectorFromArray, type DataType } from 'apache-arrow';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TableFormatError, decodeArrowTable, parseDelimited, type Table } from '../src/index.js';
import { readTable } from '../src/node.js';
import { recordBatches } from './arrow-bytes.js';

/**
 * Hostile and careless input for the table readers: malformed CSV and TSV text, random bytes under
 * every table extension, and valid Arrow files with random mutations. Each must give a
 * TableFormatError naming the source, or a table that is consistent (rows x columns, numbers only
 * where every present cell is a finite number) and no larger than its input allows; well-formed
 * input must read back to exactly what was written. Never another exception.
 */

const SOURCE = 'hostile';
const FIXTURES: Uint8Array[] = ['2.0.0-compression_generated_lz4.arrow_file', '2.0.0-compression_generated_zstd.arrow_file', '2.0.0-compression_generated_zstd.stream', 'cpp-21.0.0_generated_primitive.arrow_file'].map(
  (name) => new Uint8Array(readFileSync(fixturePath('arrow-interop', name))),
);
/** What a ZSTD buffer may expand to, per byte of the file (see arrow-layout.ts). */
const ZSTD_EXPANSION = 32768;

const dir = await temporaryFolder('hostile-tables');

/** Runs a read; returns its table, or its error after checking that it is a TableFormatError naming the source. */
function attempt(read: () => Table, source = SOURCE): Table | TableFormatError {
  let result: Table | undefined;
  let thrown: unknown;
  try {
    result = read();
  } catch (error) {
    thrown = error;
  }
  if (result !== undefined) return result;
  expect(thrown, String((thrown as Error)?.stack)).toBeInstanceOf(TableFormatError);
  expect(thrown).toBeInstanceOf(CombatError);
  expect((thrown as TableFormatError).code).toBe('TABLE_FORMAT');
  expect((thrown as Error).message.startsWith(`${source}: `), (thrown as Error).message).toBe(true);
  return thrown as TableFormatError;
}

async function attemptAsync(read: () => Promise<Table>, source: string): Promise<Table | TableFormatError> {
  let result: Table | undefined;
  let thrown: unknown;
  try {
    result = await read();
  } catch (error) {
    thrown = error;
  }
  return attempt(() => {
    if (result === undefined) throw thrown;
    return result;
  }, source);
}

/** A table that holds together: named columns, one cell per row, numbers only when every present cell is a finite number. */
function expectConsistent(table: Table, maxCells: number): void {
  expect(table.names.length).toBe(table.columns.size);
  expect(new Set(table.names).size).toBe(table.names.length);
  expect(table.rows * table.names.length).toBeLessThanOrEqual(maxCells);
  for (const name of table.names) {
    expect(name.trim()).not.toBe('');
    const column = table.columns.get(name)!;
    expect(column.name).toBe(name);
    expect(column.cells.length).toBe(table.rows);
    if (column.raw !== undefined) expect(column.raw.length).toBe(table.rows);
    if (column.numbers === null) continue;
    expect(column.numbers.length).toBe(table.rows);
    column.cells.forEach((cell, row) => {
      const number = (column.numbers as Float64Array)[row] as number;
      if (cell === null) expect(number).toBeNaN();
      else {
        expect(Number.isFinite(number), `${name}[${row}] = ${JSON.stringify(cell)}`).toBe(true);
        // === rather than toBe: an Arrow -0 has the cell "0".
        expect(Number(cell) === number, `${name}[${row}] = ${JSON.stringify(cell)} vs ${number}`).toBe(true);
      }
    });
  }
}

// ---------------------------------------------------------------------------------------------
// CSV and TSV

const cellText = fc.string({
  unit: fc.constantFrom('a', 'Z', '0', '7', '.', '-', 'e', ' ', ',', ';', '\t', '"', '\n', 'é', '漢', '😀', 'NA', 'NaN', '1e400', 'Infinity', '0x1'),
  maxLength: 6,
});
const numberText = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }).map(String), fc.integer().map(String), fc.constantFrom('', 'NA', ' 3.5 ', '-0', '1e-7'));
/** Column names: not blank, and without the separators a one-column header is refused for. */
const columnName = fc.string({ unit: fc.constantFrom('a', 'b', 'x', '_', '1', ' ', '"', '\n', 'é', '😀'), minLength: 1, maxLength: 5 }).filter((name) => name.trim() !== '');

const wellFormed = fc
  .record({
    names: fc.uniqueArray(columnName, { minLength: 1, maxLength: 5 }),
    rows: fc.integer({ min: 0, max: 6 }),
    numeric: fc.boolean(),
    delimiter: fc.constantFrom(',', '\t') as fc.Arbitrary<',' | '\t'>,
    lineEnd: fc.constantFrom('\n', '\r\n', '\r'),
    finalLineEnd: fc.boolean(),
    encoding: fc.constantFrom('utf-8', 'utf-8-bom', 'utf-16le', 'utf-16be'),
    seed: fc.integer(),
  })
  .chain((shape) =>
    fc.record({
      shape: fc.constant(shape),
      cells: fc.array(fc.array(shape.numeric ? numberText : cellText, { minLength: shape.names.length, maxLength: shape.names.length }), {
        minLength: shape.rows,
        maxLength: shape.rows,
      }),
    }),
  );

/** Writes a field as CSV or TSV does: quoted when empty or when it holds the delimiter, a quote or a line end. */
function field(text: string, delimiter: string): string {
  return text === '' || text.includes(delimiter) || /["\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function encode(text: string, encoding: string): Uint8Array {
  if (encoding.startsWith('utf-8')) return new TextEncoder().encode(encoding === 'utf-8-bom' ? `\uFEFF${text}` : text);
  const bytes = new Uint8Array(2 + 2 * text.length);
  const view = new DataView(bytes.buffer);
  const little = encoding === 'utf-16le';
  view.setUint16(0, 0xfeff, little);
  for (let i = 0; i < text.length; i++) view.setUint16(2 + 2 * i, text.charCodeAt(i), little);
  return bytes;
}

/** Text of the malformed kind: random quotes, separators, line ends, BOMs, NULs, huge numbers, unicode. */
const malformedText = fc
  .array(fc.constantFrom('a', 'b', '1', '2.5', '1e400', '-inf', 'NA', ',', ';', '\t', '"', '""', '\n', '\r', '\r\n', '\uFEFF', '\0', 'é', '😀', ' ', 'x"y', '\u2028', '\uD800'), { maxLength: 40 })
  .map((tokens) => tokens.join(''));

describe('hostile CSV and TSV', () => {
  it('well-formed text reads back to exactly what was written, whatever the line ends, BOM or encoding', async () => {
    await fc.assert(
      fc.asyncProperty(wellFormed, async ({ shape, cells }) => {
        const { names, delimiter, lineEnd, finalLineEnd, encoding } = shape;
        const lines = [names, ...cells].map((row) => row.map((text) => field(text, delimiter)).join(delimiter));
        const text = lines.join(lineEnd) + (finalLineEnd ? lineEnd : '');
        const path = join(dir, `well-formed-${shape.seed}${delimiter === ',' ? '.csv' : '.tsv'}`);
        await writeFile(path, encode(text, encoding));
        const tables = [await readTable(path), ...(encoding === 'utf-8' ? [parseDelimited(text, { source: path, delimiter })] : [])];
        for (const table of tables) {
          expect(table.names).toEqual(names);
          expect(table.rows).toBe(cells.length);
          // Line ends inside quoted cells come back as \n.
          names.forEach((name, k) => expect(table.columns.get(name)!.raw).toEqual(cells.map((row) => (row[k] as string).replace(/\r\n?/g, '\n'))));
          expectConsistent(table, text.length + 1);
          if (shape.numeric) for (const name of names) expect(table.columns.get(name)!.numbers).not.toBeNull();
        }
      }),
      { numRuns: 150 },
    );
  });

  it('malformed text: refused, or a consistent table no larger than the text', () => {
    fc.assert(
      fc.property(malformedText, fc.constantFrom(',', '\t') as fc.Arbitrary<',' | '\t'>, (text, delimiter) => {
        const result = attempt(() => parseDelimited(text, { source: SOURCE, delimiter }));
        if (!(result instanceof TableFormatError)) expectConsistent(result, 2 * text.length + 2);
      }),
      { numRuns: 200, examples: [['a;b\n1;2\n', ','], ['a\0,b\n', ','], ['\uFEFF', '\t'], ['"a', ','], ['a,a\n', ','], ['x\n1e400\n', ',']] },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Arrow

type ColumnKind = 'float64' | 'int32' | 'utf8' | 'bool' | 'dictionary' | 'null';
const TYPES: Record<ColumnKind, () => DataType> = {
  float64: () => new Float64(),
  int32: () => new Int32(),
  utf8: () => new Utf8(),
  bool: () => new Bool(),
  dictionary: () => new Dictionary(new Utf8(), new Int32()),
  null: () => new Null(),
};
const VALUES: Record<ColumnKind, fc.Arbitrary<unknown>> = {
  float64: fc.oneof(fc.double(), fc.constant(null)),
  int32: fc.oneof(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.constant(null)),
  utf8: fc.oneof(fc.string({ unit: 'grapheme', maxLength: 5 }), fc.constant(null)),
  bool: fc.oneof(fc.boolean(), fc.constant(null)),
  dictionary: fc.oneof(fc.constantFrom('siteA', 'siteB', 'é'), fc.constant(null)),
  null: fc.constant(null),
};

const arrowTable = fc
  .record({
    columns: fc.uniqueArray(fc.record({ name: columnName, kind: fc.constantFrom(...(Object.keys(TYPES) as ColumnKind[])) }), { minLength: 1, maxLength: 5, selector: (c) => c.name }),
    rows: fc.integer({ min: 0, max: 6 }),
    format: fc.constantFrom('file', 'stream') as fc.Arbitrary<'file' | 'stream'>,
  })
  .chain(({ columns, rows, format }) =>
    fc.record({
      format: fc.constant(format),
      columns: fc.tuple(...columns.map(({ name, kind }) => fc.record({ name: fc.constant(name), kind: fc.constant(kind), values: fc.array(VALUES[kind], { minLength: rows, maxLength: rows }) }))),
    }),
  );

/** The columns as one record batch, in their order (an object's keys would put "1" before "a"). */
function arrowBytes({ columns, format }: { columns: { name: string; kind: ColumnKind; values: unknown[] }[]; format: 'file' | 'stream' }): Uint8Array {
  const vectors = columns.map(({ kind, values }) => vectorFromArray(values, TYPES[kind]()));
  const schema = new Schema(columns.map(({ name }, k) => new Field(name, vectors[k]!.type, true)));
  const length = columns[0]!.values.length;
  const batch = new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length, nullCount: 0, children: vectors.map((vector) => vector.data[0]!) }));
  return tableToIPC(new ArrowTable([batch]), format);
}

/** What a column's text cells are: String(value), null for null and NaN. */
function expectedCells(values: unknown[]): (string | null)[] {
  return values.map((value) => (value === null || (typeof value === 'number' && Number.isNaN(value)) ? null : String(value)));
}

/** A mutation of a valid file: a byte set, a cut, bytes appended, or an integer written over one of its lengths or offsets. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('byte' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('append' as const), bytes: fc.uint8Array({ maxLength: 16 }) }),
  fc.record({
    kind: fc.constant('length' as const),
    target: fc.constantFrom('batch', 'node', 'buffer', 'aligned'),
    at: fc.nat(),
    value: fc.constantFrom(0, -1, 1, 7, 2 ** 31 - 1, 2 ** 31, 400_000_000, 2 ** 40, 2 ** 53 - 1),
  }),
);

type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(bytes: Uint8Array, mutations: Mutation[]): Uint8Array {
  let out = new Uint8Array(bytes);
  for (const m of mutations) {
    if (m.kind === 'byte' && out.length > 0) out[m.at % out.length] = m.value;
    else if (m.kind === 'cut') out = out.slice(0, m.at % (out.length + 1));
    else if (m.kind === 'append') out = Uint8Array.from([...out, ...m.bytes]);
    else if (m.kind === 'length') {
      let batches: ReturnType<typeof recordBatches> = [];
      try {
        batches = recordBatches(out);
      } catch {
        // A mutation before this one may have broken the walk; then write at an aligned position.
      }
      const batch = batches[m.at % Math.max(1, batches.length)];
      const at =
        batch === undefined || m.target === 'aligned'
          ? 8 * (m.at % Math.max(1, Math.floor(out.length / 8)))
          : m.target === 'batch'
            ? batch.length
            : m.target === 'node'
              ? batch.nodes + 16 * (m.at % Math.max(1, batch.nodeCount)) + 8 * (m.at % 2)
              : batch.buffers + 16 * (m.at % Math.max(1, batch.bufferCount)) + 8 * (m.at % 2);
      if (at !== null && at + 8 <= out.length) new DataView(out.buffer).setBigInt64(at, BigInt(m.value), true);
    }
  }
  return out;
}

describe('hostile Arrow files', () => {
  it('valid files read back to what was written', () => {
    fc.assert(
      fc.property(arrowTable, (spec) => {
        const table = decodeArrowTable(arrowBytes(spec), { source: SOURCE });
        expect(table.names).toEqual(spec.columns.map((c) => c.name));
        for (const { name, kind, values } of spec.columns) {
          const column = table.columns.get(name)!;
          expect(column.cells).toEqual(expectedCells(values));
          const infinite = values.some((value) => value === Infinity || value === -Infinity);
          if ((kind === 'float64' && !infinite) || kind === 'int32') expect(Array.from(column.numbers!)).toEqual(values.map((value) => (value === null ? NaN : value)));
          else expect(column.numbers).toBeNull();
        }
        expectConsistent(table, Infinity);
      }),
      { numRuns: 150, examples: [[{ format: 'file', columns: [{ name: 'x', kind: 'float64', values: [1.5, Infinity, NaN, null] }] }]] },
    );
  });

  it('mutated files (bytes, cuts, patched lengths and offsets): refused, or a consistent table the bytes can hold', () => {
    const base = fc.oneof(arrowTable.map(arrowBytes), fc.constantFrom(...FIXTURES));
    fc.assert(
      fc.property(base, fc.array(mutation, { minLength: 1, maxLength: 4 }), (bytes, mutations) => {
        const hostile = mutate(bytes, mutations);
        const result = attempt(() => decodeArrowTable(hostile, { source: SOURCE }));
        if (!(result instanceof TableFormatError)) {
          // Every row of a column is at least a bit of the body, or of a codec's output.
          const compressed = FIXTURES.slice(0, 3).includes(bytes);
          expectConsistent(result, 8 * hostile.length * (compressed ? ZSTD_EXPANSION : 1) * Math.max(1, result.names.length));
          expect(result.rows).toBeLessThanOrEqual(8 * hostile.length * (compressed ? ZSTD_EXPANSION : 1));
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('hostile files through readTable, under every extension', () => {
  it('random or mutated bytes as .csv, .tsv, .arrow, .feather: refused, or a consistent table', async () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 64 }),
      malformedText.map((text) => new TextEncoder().encode(text)),
      fc.tuple(malformedText, fc.constantFrom('utf-16le', 'utf-16be')).map(([text, encoding]) => encode(text, encoding)),
      fc.tuple(arrowTable.map(arrowBytes), fc.array(mutation, { maxLength: 2 })).map(([valid, mutations]) => mutate(valid, mutations)),
    );
    let file = 0;
    await fc.assert(
      fc.asyncProperty(bytes, fc.constantFrom('.csv', '.tsv', '.arrow', '.feather'), async (content, extension) => {
        const path = join(dir, `input-${file++}${extension}`);
        await writeFile(path, content);
        const result = await attemptAsync(() => readTable(path), path);
        if (!(result instanceof TableFormatError)) expectConsistent(result, 8 * content.length + 2);
      }),
      { numRuns: 150 },
    );
  });
});
