import { makeVector, type Vector } from 'apache-arrow';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StatisticsFormatError, decodeStatisticsFile, encodeStatisticsFile } from '../src/index.js';
import { appended, endsLikeAFile, flipped, framed, hostileChecks, reordered, setAtPath } from './hostile-files.js';
import { rewrite, withCell } from './model-file-fixtures.js';
import { expectSameStatistics, statisticsFiles } from './statistics-file-fixtures.js';

/**
 * Hostile statistics files: real statistics files of a table (with missing cells) and of volumes
 * (a spline, a mask), mutated (random bytes, truncations, bit flips, JSON and column edits), and
 * bytes that were never one, must give a StatisticsFormatError naming the file, or statistics
 * equal to the original when the mutation was a no-op; never another exception. Edits resealed
 * with a new checksum (a tool that edits files) must give a StatisticsFormatError or statistics
 * that are valid (they encode again to a file that decodes to them), and a StatisticsFormatError
 * whenever the edit makes them inconsistent.
 */
const FILES = statisticsFiles().map((original) => ({ ...original, value: original.statistics }));
const file = fc.constantFrom(...FILES);
type StatisticsFile = (typeof FILES)[number];
const { decode, expectKept, expectRandomBytesRefused, expectRefused, expectRefusedUnlessSame, expectRefusedOrValid } = hostileChecks({
  source: 'hostile-statistics.arrow',
  error: StatisticsFormatError,
  decode: (bytes, options) => {
    const { statistics, ...extras } = decodeStatisticsFile(bytes, options);
    return { value: statistics, ...extras };
  },
  encode: encodeStatisticsFile,
  expectSame: expectSameStatistics,
});

/** The table file's first batch with missing cells, and its label. */
function batchWithMissing(original: StatisticsFile): string {
  return original.statistics.batches.find((batch) => batch.missingFeatures.length > 0)!.batch;
}

describe('hostile statistics files', () => {
  it('random bytes: refused, unless no byte changed (then the same statistics)', () => expectRandomBytesRefused(FILES));

  it('truncations, appended bytes and single bit flips are refused', () => {
    fc.assert(
      fc.property(file, fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 16 }), fc.integer({ min: 0, max: 7 }), (original, cut, tail, bit) => {
        expectRefused(original.bytes.slice(0, cut % original.bytes.length));
        if (!endsLikeAFile(tail)) expectRefused(appended(original.bytes, tail));
        expectRefused(flipped(original.bytes, [{ at: cut, xor: 1 << bit }]));
      }),
      { numRuns: 200 },
    );
  });

  it('bytes that were never a statistics file: refused, whatever they hold', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.boolean(), fc.nat(), (random, frame, footer) => expectRefused(frame ? framed(random, footer) : random)),
      { numRuns: 200 },
    );
  });

  it('any JSON value anywhere in the metadata: refused without a new checksum; resealed, refused or valid', () => {
    const seen = { refused: 0, valid: 0 };
    fc.assert(
      fc.property(file, fc.nat(), fc.jsonValue({ maxDepth: 2 }), (original, pick, value) => {
        const edit = (json: Record<string, any>) => setAtPath(json, pick, value);
        expectRefusedUnlessSame(rewrite(original.bytes, { seal: false, json: edit }), original);
        seen[expectRefusedOrValid(rewrite(original.bytes, { json: edit }))]++;
      }),
      { numRuns: 200 },
    );
    expect(seen.refused).toBeGreaterThan(100);
  });

  it('cell edits: refused without a new checksum; resealed, refused or valid', () => {
    const seen = { refused: 0, valid: 0 };
    fc.assert(
      fc.property(file, fc.nat(), fc.nat(), fc.constantFrom(NaN, Infinity, -Infinity, -1, 0, -0, 1e308, 5e-324, 0.5, 42), (original, column, row, value) => {
        const edit = (vectors: Record<string, Vector>) => {
          const floats = Object.keys(vectors).filter((name) => String(vectors[name]!.type) === 'Float64');
          const name = floats[column % floats.length]!;
          withCell(vectors, name, row % vectors[name]!.length, value);
        };
        expectRefusedUnlessSame(rewrite(original.bytes, { seal: false, columns: edit }), original);
        seen[expectRefusedOrValid(rewrite(original.bytes, { columns: edit }))]++;
      }),
      { numRuns: 150 },
    );
    expect(seen.valid).toBeGreaterThan(0);
  });

  it('inconsistent files are refused even when resealed: lengths, counts, columns, batches, versions', () => {
    const [table, volume] = FILES as [StatisticsFile, StatisticsFile];
    const label = batchWithMissing(table);
    const b = table.statistics.batches.findIndex((batch) => batch.batch === label);
    const v = table.statistics.batches[b]!.missingFeatures[0]!;
    const complete = table.statistics.batches[b]!.mean.findIndex((_, w) => !table.statistics.batches[b]!.missingFeatures.includes(w));
    const counts = (edit: (values: Int32Array) => void) => (vectors: Record<string, Vector>) => {
      const values = Int32Array.from(vectors[`missing[${label}]`]!.toArray() as Int32Array);
      edit(values);
      vectors[`missing[${label}]`] = makeVector(values);
    };
    type Edit = { json?: (j: any) => void; columns?: (c: Record<string, Vector>) => void };
    const edits: [StatisticsFile, Edit, string][] = [
      [table, { json: (j) => void (j.formatVersion = 2) }, 'formatVersion is a number (2)'],
      [table, { json: (j) => void (j.format = 'combat-model') }, 'format is a string ("combat-model")'],
      [table, { json: (j) => void (j.extra = 1) }, 'unknown field "extra"'],
      [table, { json: (j) => void (j.features = 4) }, 'the table has 5 rows; expected one per feature (features is 4)'],
      [table, { json: (j) => void j.batches[0].covariateSum.pop() }, 'batches[0].covariateSum is an array of 1; expected 2 numbers'],
      [table, { json: (j) => void (j.batches[0].covariateCross[1] = 'x') }, 'batches[0].covariateCross[1] is a string ("x"); expected a number'],
      [table, { json: (j) => void (j.batches[1].samples = 0) }, 'batches[1].samples is a number (0); expected a positive integer'],
      [table, { json: (j) => void j.batches.reverse() }, 'batches[].batch[1] is'],
      [table, { json: (j) => void (j.batches[b].missing += 1) }, `batches[${b}].missing is`],
      [table, { columns: counts((c) => void (c[v] = table.statistics.batches[b]!.samples + 1)) }, `missing[${label}] is ${table.statistics.batches[b]!.samples + 1}; expected 0 to`],
      [table, { columns: counts((c) => void (c[v] = -1)) }, `missing[${label}] is -1`],
      [table, { columns: (c) => withCell(c, `missingCovariateSum[${label}][1]`, complete, 3) }, `missingCovariateSum[${label}][1] is 3 where missing[${label}] is 0; expected 0`],
      [table, { columns: (c) => void delete c[`mean[${label}]`] }, `column "mean[${label}]" is missing`],
      [table, { columns: (c) => void (c.extra = makeVector(new Float64Array(5))) }, 'column "extra" is not part of statistics'],
      [table, { columns: (c) => void (c[`squares[${label}]`] = makeVector(new Int32Array(5))) }, `column "squares[${label}]" has type Int32; expected Float64`],
      [volume, { columns: (c) => void (c.voxel = makeVector(Int32Array.of(2, 3, 11, 7))) }, 'voxel index in row 4 is 7 after 11'],
      [volume, { json: (j) => void delete j.mask }, 'column "voxel" is not part of statistics'],
      [volume, { json: (j) => void (j.coding.terms[1].knots = [90]) }, 'coding.terms[1]: knots are 20, 90, 80'],
      [volume, { json: (j) => void (j.columns.continuous = ['years']) }, 'columns.continuous is ["years"]'],
    ];
    for (const [original, edit, message] of edits) {
      const result = decode(rewrite(original.bytes, edit));
      expect(result, message).toBeInstanceOf(StatisticsFormatError);
      expect((result as Error).message).toContain(message);
    }
  });

  it('no-op rewrites, resealed, keep the statistics: JSON keys and columns reordered', () => {
    fc.assert(
      fc.property(file, fc.boolean(), (original, reverseColumns) => expectKept(reordered(original.bytes, reverseColumns), original)),
      { numRuns: 10 },
    );
  });
});
