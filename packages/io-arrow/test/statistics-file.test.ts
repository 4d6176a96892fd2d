import { CombatAccumulator, ModelFormatError, applyCombat, codeDesign, finalizeModel, harmonize, mergeStatistics, type CombatOptions, type CombatStatistics } from '@combat/core';
import { expectClose, selectSamples, syntheticData } from '@combat/test-support';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StatisticsFormatError, decodeModelFile, decodeStatisticsFile, encodeModelFile, encodeStatisticsFile } from '../src/index.js';
import { bits, rewrite } from './model-file-fixtures.js';
import { expectSameStatistics, statisticsFiles } from './statistics-file-fixtures.js';

const COLUMNS = { batch: 'site', categorical: ['sex'], continuous: ['age'] };
const MODES: CombatOptions[] = [{}, { parametric: false }, { eb: false }, { meanOnly: true }, { refBatch: 'siteB' }, { refBatch: 'siteA', parametric: false, meanOnly: true }];

/** The statistics of some samples of a data set, as a file, each shard coding its own covariates (its own levels and ranges). */
function shardFile(data: ReturnType<typeof syntheticData>, rows: readonly number[]): Uint8Array {
  const { matrix, covariates } = selectSamples(data.matrix, data.covariates, rows);
  const statistics = new CombatAccumulator(codeDesign(covariates), matrix.features).add(matrix, covariates).statistics();
  return encodeStatisticsFile(statistics, { featureNames: Array.from({ length: matrix.features }, (_, v) => `f${v}`), columns: COLUMNS });
}

/** Every occurrence of `pattern` in `bytes` at an offset that is a multiple of `step`. */
function occursAligned(bytes: Uint8Array, pattern: Uint8Array, step: number): boolean {
  outer: for (let at = 0; at + pattern.length <= bytes.length; at += step) {
    for (let k = 0; k < pattern.length; k++) if (bytes[at + k] !== pattern[k]) continue outer;
    return true;
  }
  return false;
}

function occurs(bytes: Uint8Array, pattern: Uint8Array): boolean {
  return occursAligned(bytes, pattern, 1);
}

describe('the statistics file', () => {
  it('round-trips statistics bit for bit: missing cells, a spline, a mask, and sums JSON cannot hold', () => {
    for (const { name, statistics, extras, bytes } of statisticsFiles()) {
      const back = decodeStatisticsFile(bytes, { source: `${name}.arrow` });
      expectSameStatistics(back.statistics, statistics);
      expect(back.featureNames).toEqual(extras.featureNames);
      expect(back.columns).toEqual(extras.columns);
      expect(back.idColumn).toEqual(extras.idColumn);
      expect(back.mask).toEqual(extras.mask);
    }
    const [{ statistics, extras }] = statisticsFiles();
    expect(statistics!.batches.filter((batch) => batch.missingFeatures.length > 0).length).toBeGreaterThan(0);
    const odd = statistics!.batches[0]!;
    const covariateCross = odd.covariateCross.slice();
    covariateCross.set([-0, Infinity, NaN]);
    const mean = odd.mean.slice();
    mean.set([-0, NaN]);
    const edited: CombatStatistics = { ...statistics!, batches: [{ ...odd, covariateCross, mean }, ...statistics!.batches.slice(1)] };
    expectSameStatistics(decodeStatisticsFile(encodeStatisticsFile(edited, extras!)).statistics, edited);
  });

  it('merged from files of any split (by site, shards across sites, one site across shards, shards without a level), gives the pooled fit in every mode', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), fc.array(fc.nat(3), { minLength: 26, maxLength: 26 }), fc.constantFrom(...MODES), (seed, shardOf, options) => {
        const data = syntheticData({ seed, batchSizes: [9, 8, 9], features: 5, missing: 0.1 });
        const shards = [0, 1, 2, 3].map((s) => shardOf.flatMap((shard, row) => (shard === s ? [row] : []))).filter((rows) => rows.length > 0);
        const files = shards.map((rows) => shardFile(data, rows));
        const merged = files.map((bytes, s) => decodeStatisticsFile(bytes, { source: `shard-${s}.arrow` }).statistics).reduce((a, b) => mergeStatistics(a, b));
        const { model } = finalizeModel(merged, options);
        const pooled = harmonize(data.matrix, data.covariates, options);
        expect(model.coding).toEqual(pooled.model.coding);
        for (const name of ['beta', 'grandMean', 'varPooled'] as const) expectClose(model[name], pooled.model[name], 1e-12, name);
        for (const [batch, effects] of pooled.model.batches) {
          for (const name of ['gammaHat', 'deltaHat', 'gammaStar', 'deltaStar'] as const) expectClose(model.batches.get(batch)![name], effects[name], 1e-12, `${batch}.${name}`);
        }
        expectClose(applyCombat(model, data.matrix, data.covariates).data, pooled.data, 1e-12, 'adjusted');
      }),
      { numRuns: 40 },
    );
  });

  it('holds no value of a sample when each batch (and each level within it) has two samples or more and no cell is missing: no float64 or float32 pattern, no decimal text of one', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10000 }), fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 2, maxLength: 3 }), fc.integer({ min: 1, max: 4 }), (seed, sizes, features) => {
        const data = syntheticData({ seed, batchSizes: sizes.map((n) => 4 * n), features });
        // Values as a volume holds them (float32), so both their patterns are the input's.
        const values = Float64Array.from(data.matrix.data, Math.fround);
        const input = { ...data, matrix: { ...data.matrix, data: values } };
        // Two shards of alternate groups of 4 rows (the sexes alternate within a batch): each batch of
        // a file has two samples or more, and so has each sex within it.
        const rows = Array.from({ length: data.matrix.samples }, (_, row) => row);
        const halves = [0, 1].map((half) => rows.filter((row) => Math.floor(row / 4) % 2 === half));
        for (const shard of halves) {
          const bytes = shardFile(input, shard);
          const text = new TextDecoder('latin1').decode(bytes);
          for (const row of shard) {
            for (let v = 0; v < features; v++) {
              const x = values[row * features + v]!;
              expect(occurs(bytes, bits(Float64Array.of(x))), `float64 of ${x}`).toBe(false);
              // Arrow buffers are aligned: a float32 written would sit at a multiple of 4.
              expect(occursAligned(bytes, bits(Float32Array.of(x)), 4), `float32 of ${x}`).toBe(false);
              expect(text.includes(String(x)), `text of ${x}`).toBe(false);
            }
            // A continuous covariate appears only as the shard's smallest or largest value (the coding's range).
            const age = input.covariates.continuous.age[row]!;
            const ages = shard.map((r) => input.covariates.continuous.age[r]!);
            if (age !== Math.min(...ages) && age !== Math.max(...ages)) {
              expect(occurs(bytes, bits(Float64Array.of(age))), `float64 of age ${age}`).toBe(false);
              expect(text.includes(String(age)), `text of age ${age}`).toBe(false);
            }
          }
        }
      }),
      // A fixed seed: a 4-byte pattern can match by chance, and a chance match is no leak.
      { numRuns: 60, seed: 20251121 },
    );
  });

  it('a model file is not a statistics file, nor the reverse, and each says so', () => {
    const [{ statistics, extras, bytes }] = statisticsFiles();
    const { model } = finalizeModel(statistics!);
    const modelBytes = encodeModelFile(model, extras!);
    expect(() => decodeStatisticsFile(modelBytes, { source: 'model.arrow' })).toThrow(
      new StatisticsFormatError('model.arrow: a ComBat model file, not a statistics file: a fitted model is applied, not merged'),
    );
    expect(() => decodeModelFile(bytes!, { source: 'site.arrow' })).toThrow(
      new ModelFormatError('site.arrow: a ComBat statistics file, not a model file: statistics are merged and finalized into a model first'),
    );
  });

  it('refuses an unknown format or format version by name, and bytes that are not a statistics file', () => {
    const [{ bytes }] = statisticsFiles();
    const edit = (json: (j: Record<string, unknown>) => void) => () => decodeStatisticsFile(rewrite(bytes!, { json }), { source: 's.arrow' });
    expect(edit((j) => void (j.formatVersion = 2))).toThrow(new StatisticsFormatError('s.arrow: formatVersion is a number (2); expected 1, the only version of statistics files this version of combat reads'));
    expect(edit((j) => void (j.format = 'combat-sums'))).toThrow(new StatisticsFormatError('s.arrow: format is a string ("combat-sums"); expected "combat-statistics"'));
    expect(edit((j) => void delete j.format)).toThrow(new StatisticsFormatError('s.arrow: format is undefined; expected "combat-statistics"'));
    expect(() => decodeStatisticsFile(new TextEncoder().encode('subject,site\n'), { source: 'data.csv' })).toThrow(
      new StatisticsFormatError('data.csv: not an Arrow IPC statistics file: it starts with "subject,site\\n"; expected the bytes "ARROW1"'),
    );
  });

  it('refuses to encode extras that do not fit the statistics, naming the target', () => {
    const [{ statistics, extras }] = statisticsFiles();
    expect(() => encodeStatisticsFile(statistics!, { ...extras!, featureNames: ['a', 'a', 'b', 'c', 'd'] }, { target: 'out.arrow' })).toThrow(
      new StatisticsFormatError('out.arrow: feature name "a" appears in rows 1 and 2; expected unique names'),
    );
    expect(() => encodeStatisticsFile(statistics!, { ...extras!, columns: { batch: 'site', continuous: ['age'] } }, { target: 'out.arrow' })).toThrow(
      new StatisticsFormatError('out.arrow: columns.categorical is []; expected the names of the coding\'s categorical terms ["sex"]'),
    );
    expect(() => encodeStatisticsFile({ ...statistics!, version: 2 } as unknown as CombatStatistics, extras!, { target: 'out.arrow' })).toThrow(
      new StatisticsFormatError('out.arrow: statistics.version is a number (2); expected 1'),
    );
  });
});
