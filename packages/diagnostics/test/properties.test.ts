import { CombatError } from '@combat/base';
import { codeDesign, type DataMatrix } from '@combat/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anova, bartlett, benjaminiHochberg, fitCovariates, flignerKilleen, kruskalWallis, levene, testBatches, type ChiSquareTest, type FTest } from '../src/index.js';

const TESTS: Record<string, (values: ArrayLike<number>, batch: readonly string[]) => FTest | ChiSquareTest> = { anova, kruskalWallis, levene, bartlett, flignerKilleen };

/**
 * A feature's values in 2 to 4 batches of 2 to 12 values each, and the labels. The values are
 * multiples of 1/64 up to 1000, so their sums are exact in any order and a scale by a power of 2
 * neither underflows nor overflows: what is left to differ is rounding of positive sums.
 */
const feature = fc
  .array(fc.array(fc.integer({ min: -64_000, max: 64_000 }).map((k) => k / 64), { minLength: 2, maxLength: 12 }), { minLength: 2, maxLength: 4 })
  .map((batches) => ({ values: batches.flat(), batch: batches.flatMap((values, b) => values.map(() => `site${b}`)) }));

function close(a: number, b: number, relative: number): boolean {
  return a === b || (Number.isNaN(a) && Number.isNaN(b)) || Math.abs(a - b) <= relative * Math.abs(b);
}

describe('the tests are properties of the values by batch', () => {
  it.each(Object.keys(TESTS))('%s: the order of the samples does not matter, nor a scale by a power of 2', (name) => {
    const test = TESTS[name]!;
    fc.assert(
      fc.property(feature, fc.integer({ min: -20, max: 20 }), fc.nat(), ({ values, batch }, power, seed) => {
        const reference = test(values, batch);
        const order = values.map((_, i) => i).sort((a, b) => ((a * 7919 + seed) % 101) - ((b * 7919 + seed) % 101));
        const shuffled = test(order.map((i) => values[i]!), order.map((i) => batch[i]!));
        const scaled = test(values.map((x) => x * 2 ** power), batch);
        for (const other of [shuffled, scaled]) {
          expect(close(other.statistic, reference.statistic, 1e-9), `${other.statistic} vs ${reference.statistic}`).toBe(true);
          expect(close(other.p, reference.p, 1e-8), `${other.p} vs ${reference.p}`).toBe(true);
        }
        expect(Number.isNaN(reference.p) || (reference.p >= 0 && reference.p <= 1)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});

describe('hostile input', () => {
  const cell = fc.oneof(fc.double(), fc.constantFrom(NaN, Infinity, -Infinity, 0, 1e308, -1e-308, 5e-324));
  it.each(Object.keys(TESTS))('%s: any values and labels give a typed error or a p-value in [0, 1] (or NaN)', (name) => {
    const test = TESTS[name]!;
    fc.assert(
      fc.property(fc.array(cell, { maxLength: 20 }), fc.array(fc.constantFrom('a', 'b', 'c'), { maxLength: 21 }), (values, batch) => {
        try {
          const result = test(values, batch);
          expect(Number.isNaN(result.p) || (result.p >= 0 && result.p <= 1), `p = ${result.p}`).toBe(true);
        } catch (error) {
          expect(error, String(error)).toBeInstanceOf(CombatError);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('benjaminiHochberg', () => {
  it('is min over p_j >= p_i of m p_j / rank(p_j), capped at 1, with NaN left out', () => {
    const p = fc.array(fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(NaN, 0, 1, 0.05)), { maxLength: 40 });
    fc.assert(
      fc.property(p, (values) => {
        const adjusted = benjaminiHochberg(values);
        const tested = values.filter((x) => !Number.isNaN(x));
        const m = tested.length;
        values.forEach((x, i) => {
          if (Number.isNaN(x)) return expect(adjusted[i]).toBeNaN();
          const candidates = tested.filter((y) => y >= x).map((y) => (m * y) / tested.filter((z) => z <= y).length);
          expect(close(adjusted[i]!, Math.min(1, ...candidates), 1e-15), `${adjusted[i]} at ${i}`).toBe(true);
        });
      }),
    );
  });
});

describe('testBatches', () => {
  it('gives per feature what the single-feature functions give', () => {
    fc.assert(
      fc.property(fc.array(feature, { minLength: 1, maxLength: 5 }), (columns) => {
        // Every feature on the first one's batches: its own values, cycled to length.
        const { batch } = columns[0]!;
        const V = columns.length;
        const data = new Float64Array(batch.length * V);
        columns.forEach(({ values }, v) => batch.forEach((_, i) => (data[i * V + v] = values[i % values.length]!)));
        const matrix: DataMatrix = { data, samples: batch.length, features: V };
        const results = testBatches(matrix, batch);
        results.forEach((result, t) => {
          const single = Object.values(TESTS)[t]!;
          for (let v = 0; v < V; v++) {
            const one = single(Float64Array.from(batch, (_, i) => data[i * V + v]!), batch);
            expect([result.statistic[v], result.p[v]]).toEqual([one.statistic, one.p]);
          }
          expect(Array.from(result.adjusted)).toEqual(Array.from(benjaminiHochberg(result.p)));
        });
      }),
      { numRuns: 50 },
    );
  });
});

describe('fitCovariates', () => {
  it('residuals are orthogonal to every design column on each feature\'s finite values, and the partial R^2 lie in [0, 1]', () => {
    const value = fc.integer({ min: -320, max: 320 }).map((k) => k / 64);
    const sample = fc.record({ dx: fc.constantFrom('AD', 'CN', 'MCI'), age: fc.integer({ min: 80, max: 360 }).map((k) => k / 4), y: value, z: fc.oneof(value, fc.constant(NaN)) });
    let fitted = 0;
    fc.assert(
      fc.property(fc.array(sample, { minLength: 12, maxLength: 40 }), (rows) => {
        const covariates = { batch: rows.map((_, i) => `site${i % 2}`), categorical: { dx: rows.map((r) => r.dx) }, continuous: { age: rows.map((r) => r.age) } };
        const data = Float64Array.from(rows.flatMap((r) => [r.y, r.z]));
        let fit;
        try {
          fit = fitCovariates({ data, samples: rows.length, features: 2 }, codeDesign(covariates), covariates);
        } catch (error) {
          expect(error, String(error)).toBeInstanceOf(CombatError);
          return;
        }
        const q = fit.columns.length;
        const design = (i: number, k: number) => (k === 0 ? 1 : k === q - 1 ? rows[i]!.age : rows[i]!.dx === fit.columns[k]!.slice(3) ? 1 : 0);
        for (let v = 0; v < 2; v++) {
          if (fit.unfitted.some((u) => u.feature === v)) {
            // A feature left unfitted (only feature 1 has missing cells) is NaN throughout.
            expect(v).toBe(1);
            rows.forEach((_, i) => expect(fit.residuals.data[i * 2 + v]).toBeNaN());
            for (const term of fit.terms) expect(term.partialR2[v]).toBeNaN();
            continue;
          }
          fitted++;
          for (let k = 0; k < q; k++) {
            let dot = 0;
            let scale = 0;
            rows.forEach((_, i) => {
              const r = fit.residuals.data[i * 2 + v]!;
              if (Number.isNaN(data[i * 2 + v]!)) return expect(r).toBeNaN();
              dot += design(i, k) * r;
              scale += Math.abs(design(i, k) * data[i * 2 + v]!);
            });
            expect(Math.abs(dot)).toBeLessThanOrEqual(1e-9 * Math.max(scale, 1));
          }
          // All finite values equal: every residual sum is 0 and the partial R^2 is 0/0, as in R.
          const finite = rows.map((_, i) => data[i * 2 + v]!).filter((x) => !Number.isNaN(x));
          const constant = finite.every((x) => x === finite[0]);
          for (const term of fit.terms) {
            const r2 = term.partialR2[v]!;
            expect(constant ? Number.isNaN(r2) : r2 >= -1e-12 && r2 <= 1 + 1e-12, `${r2}`).toBe(true);
          }
        }
      }),
      { numRuns: 100 },
    );
    // Most draws have every level on both features' finite values: the property was checked.
    expect(fitted).toBeGreaterThan(100);
  });
});

describe('testBatches on any matrix with missing cells', () => {
  it('never stops for a feature: each feature has a result or a cause, and the summaries count the tested ones', () => {
    const cell = fc.oneof({ weight: 3, arbitrary: fc.integer({ min: -50, max: 50 }).map((k) => k / 8) }, { weight: 2, arbitrary: fc.constant(NaN) });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.array(fc.constantFrom('a', 'b', 'c'), { minLength: 1, maxLength: 12 }), fc.infiniteStream(cell), (V, batch, cells) => {
        const data = Float64Array.from({ length: batch.length * V }, () => cells.next().value as number);
        const results = testBatches({ data, samples: batch.length, features: V }, batch);
        for (const result of results) {
          const untested = new Map(result.untested.map((u) => [u.feature, u]));
          for (let v = 0; v < V; v++) {
            expect(Number.isNaN(result.p[v]!), `${result.test} feature ${v}`).toBe(untested.has(v));
            if (!untested.has(v)) expect(result.p[v]!).toBeGreaterThanOrEqual(0);
          }
          const tested = V - result.untested.length;
          const significant = Array.from(result.adjusted).filter((q) => q <= 0.05).length;
          expect(result.share).toEqual(tested === 0 ? NaN : significant / tested);
        }
      }),
      { numRuns: 200 },
    );
  });
});
