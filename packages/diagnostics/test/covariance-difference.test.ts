import { InvalidValueError, ShapeMismatchError, TooFewBatchesError, type DataMatrix } from '@combat/core';
import { expectClose, loadCase, loadCovbatCase, syntheticData, thrownBy } from '@combat/test-support';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { covarianceDifference, type CovarianceDifference } from '../src/index.js';
import { cell, column, expectRelative, reference } from './references.js';

// The fixtures' parity rule (1e-9 of max(1, |expected|)) for the matrices, whose entries are
// correlations and their differences; the summaries at 1e-9 relative.
const TOLERANCE = 1e-9;

/** A result's matrices (pooled, then each batch's difference) row by row, null as NaN. */
function matrices(result: CovarianceDifference): Float64Array {
  return Float64Array.from([result.pooled, ...result.batches.map((b) => b.difference)].flat(2), (x) => x ?? Number.NaN);
}

/** Checks a result against a dataset's matrices.csv and summary.csv (made by make-covariance-difference.R). */
function expectReference(result: CovarianceDifference, dataset: string, names: readonly string[]): void {
  const table = reference('covariance', dataset, 'matrices.csv');
  const used = table.columns.slice(2);
  expect(result.features.map((v) => names[v])).toEqual(used);
  expect(table.rows.map((row) => row.matrix)).toEqual(['pooled', ...result.batches.map((b) => b.batch)].flatMap((name) => used.map(() => name)));
  const expected = Float64Array.from(table.rows.flatMap((row) => used.map((name) => cell(row[name]))));
  expectClose(matrices(result), expected, TOLERANCE, `${dataset} matrices`);
  const summary = reference('covariance', dataset, 'summary.csv');
  expect(summary.rows.map((row) => [row.batch, Number(row.samples), Number(row.pairs)])).toEqual(result.batches.map((b) => [b.batch, b.samples, b.pairs]));
  for (const key of ['frobenius', 'rms', 'scaled'] as const) {
    expectRelative(
      result.batches.map((b) => b[key] ?? Number.NaN),
      column(summary, key),
      TOLERANCE,
      `${dataset} ${key}`,
    );
  }
}

describe('covarianceDifference against R (cor, pairwise complete)', () => {
  it('matches on CovBat\u2019s reference case before ComBat, after ComBat and after CovBat, and CovBat brings the batches closer', () => {
    const fixture = loadCovbatCase('covbat-parametric');
    const states = { before: fixture.matrix.data, combat: fixture.expectedCombat, covbat: fixture.expected };
    const results = Object.entries(states).map(([state, data]) => {
      const result = covarianceDifference({ ...fixture.matrix, data }, fixture.covariates.batch);
      expectReference(result, `covbat-parametric-${state}`, fixture.features);
      expect(result.stride).toBe(1);
      return result;
    });
    // What the statistic is for: the largest batch difference falls from ComBat's output to CovBat's.
    const largest = (result: CovarianceDifference) => Math.max(...result.batches.map((b) => b.scaled as number));
    expect(largest(results[2]!)).toBeLessThan(largest(results[1]!));
  });

  it('matches on data with missing cells, 120 features taken at a stride of 2', () => {
    const fixture = loadCase('roi-missing-parametric');
    const names = Array.from({ length: fixture.matrix.features }, (_, v) => `f${String(v).padStart(3, '0')}`);
    expect(fixture.matrix.data.some(Number.isNaN)).toBe(true);
    const result = covarianceDifference(fixture.matrix, fixture.covariates.batch);
    expect([result.stride, result.features.length]).toEqual([2, 60]);
    expectReference(result, 'roi-missing-parametric', names);
  });
});

describe('covarianceDifference', () => {
  const study = syntheticData({ seed: 5, batchSizes: [12, 20, 9], features: 7 });
  const { batch } = study.covariates;

  it('takes every stride-th feature above 100, as the same function on those features', () => {
    const wide = syntheticData({ seed: 2, batchSizes: [10, 14], features: 250 });
    const result = covarianceDifference(wide.matrix, wide.covariates.batch);
    expect(result.stride).toBe(3);
    expect(result.features).toEqual(Array.from({ length: 84 }, (_, w) => 3 * w));
    const taken: DataMatrix = { data: Float64Array.from({ length: 24 * 84 }, (_, k) => wide.matrix.data[Math.floor(k / 84) * 250 + 3 * (k % 84)] as number), samples: 24, features: 84 };
    const same = covarianceDifference(taken, wide.covariates.batch);
    expect(result.batches).toEqual(same.batches);
    expect(result.pooled).toEqual(same.pooled);
  });

  it('does not depend on the order of the samples, each batch\u2019s shift of a feature, or a feature\u2019s positive scale', () => {
    const base = covarianceDifference(study.matrix, batch);
    const V = study.matrix.features;
    fc.assert(
      fc.property(fc.array(fc.double({ min: -50, max: 50, noNaN: true }), { minLength: 3 * V, maxLength: 3 * V }), fc.array(fc.double({ min: 0.1, max: 10, noNaN: true }), { minLength: V, maxLength: V }), fc.integer({ min: 1, max: 1000 }), (shifts, scales, seed) => {
        const order = [...Array(study.matrix.samples).keys()].sort((a, b) => ((a * seed) % 97) - ((b * seed) % 97) || a - b);
        const codes = ['siteA', 'siteB', 'siteC'];
        const data = new Float64Array(study.matrix.data.length);
        order.forEach((from, to) => {
          const b = codes.indexOf(batch[from] as string);
          for (let v = 0; v < V; v++) data[to * V + v] = (study.matrix.data[from * V + v] as number) * (scales[v] as number) + (shifts[b * V + v] as number);
        });
        const shuffled = covarianceDifference({ ...study.matrix, data }, order.map((i) => batch[i] as string));
        // Batches come in order of first appearance: compare them in the original order.
        const moved = { ...shuffled, batches: base.batches.map((b) => shuffled.batches.find((c) => c.batch === b.batch)!) };
        expectClose(matrices(moved), matrices(base), 1e-9, 'matrices');
        expectClose(moved.batches.map((b) => b.scaled as number), base.batches.map((b) => b.scaled as number), 1e-9, 'scaled');
      }),
      { numRuns: 30 },
    );
  });

  it('is zero for a batch whose correlations are the pooled ones, and near 1 (scaled) for batches differing by chance', () => {
    // Two batches holding the same samples: their correlations equal the pooled ones.
    const twice: DataMatrix = { data: Float64Array.from([...study.matrix.data, ...study.matrix.data]), samples: 2 * study.matrix.samples, features: study.matrix.features };
    const result = covarianceDifference(twice, [...batch.map(() => 'first'), ...batch.map(() => 'second')]);
    for (const b of result.batches) expect(b.frobenius).toBeLessThan(1e-12);
    // Independent normal features, no batch effect on the covariance: scaled about 1.
    const noise = syntheticData({ seed: 9, batchSizes: [60, 60, 60, 60], features: 40 });
    const scaled = covarianceDifference(noise.matrix, noise.covariates.batch).batches.map((b) => b.scaled as number);
    for (const s of scaled) expect(s).toBeGreaterThan(0.7);
    for (const s of scaled) expect(s).toBeLessThan(1.4);
  });

  it('gives null where a correlation is undefined, and leaves those pairs out of the summaries', () => {
    const V = study.matrix.features;
    const data = study.matrix.data.slice();
    batch.forEach((label, i) => {
      if (label === 'siteB') data[i * V + 2] = 4;
    });
    const result = covarianceDifference({ ...study.matrix, data }, batch);
    const siteB = result.batches.find((b) => b.batch === 'siteB')!;
    expect(siteB.difference[2]).toEqual(Array(V).fill(null));
    expect(siteB.pairs).toBe(((V - 1) * (V - 2)) / 2);
    expect(result.batches.find((b) => b.batch === 'siteA')!.pairs).toBe((V * (V - 1)) / 2);
    const one = covarianceDifference(study.matrix, batch.map((label, i) => (label === 'siteC' && i !== batch.indexOf('siteC') ? 'siteA' : label)));
    const single = one.batches.find((b) => b.batch === 'siteC')!;
    expect([single.samples, single.pairs, single.frobenius, single.scaled]).toEqual([1, 0, null, null]);
  });

  it('any pattern of missing and constant values: symmetric matrices of correlation differences or null, and summaries of exactly the finite pairs', () => {
    const cellValue = fc.oneof({ weight: 6, arbitrary: fc.double({ min: -100, max: 100, noNaN: true }) }, { weight: 2, arbitrary: fc.constant(Number.NaN) }, { weight: 1, arbitrary: fc.constant(3) });
    const input = fc.integer({ min: 1, max: 6 }).chain((features) =>
      fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.array(cellValue, { minLength: features, maxLength: features })), { minLength: 2, maxLength: 14 }).map((rows) => ({ features, rows })),
    );
    fc.assert(
      fc.property(input, ({ features, rows }) => {
        const batch = rows.map(([label]) => label);
        fc.pre(new Set(batch).size >= 2);
        const result = covarianceDifference({ data: Float64Array.from(rows.flatMap(([, values]) => values)), samples: rows.length, features }, batch);
        for (const [j, row] of result.pooled.entries()) expect(row[j] === null || row[j] === 1).toBe(true);
        for (const b of result.batches) {
          let pairs = 0;
          let sum = 0;
          b.difference.forEach((row, j) =>
            row.forEach((d, k) => {
              expect(d).toBe(b.difference[k]![j]);
              if (d === null) return;
              expect(Math.abs(d)).toBeLessThanOrEqual(2);
              if (j < k) {
                pairs++;
                sum += d * d;
              }
            }),
          );
          expect(b.pairs).toBe(pairs);
          expect(b.frobenius === null).toBe(pairs === 0);
          if (b.frobenius !== null) expectClose([b.frobenius], [Math.sqrt(2 * sum)], 1e-12, 'frobenius');
        }
      }),
      { numRuns: 300 },
    );
  });

  it('refuses what it cannot compare, with typed errors', () => {
    expect(thrownBy(() => covarianceDifference(study.matrix, batch.slice(1)), ShapeMismatchError).message).toBe(`batch has ${batch.length - 1} labels; expected one per sample (${batch.length})`);
    expect(thrownBy(() => covarianceDifference(study.matrix, batch.map(() => 'one')), TooFewBatchesError).message).toBe('expected at least 2 batches to compare; found 1');
    const data = study.matrix.data.slice();
    data[10] = Infinity;
    expect(thrownBy(() => covarianceDifference({ ...study.matrix, data }, batch), InvalidValueError)).toMatchObject({ sample: 1, feature: 3 });
  });
});
