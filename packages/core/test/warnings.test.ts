import { syntheticData } from '@combat/test-support';
import { describe, expect, it } from 'vitest';
import { CombatAccumulator, codeDesign, finalizeModel, harmonize, type CombatWarning, type DataMatrix } from '../src/index.js';
import { checkModel } from '../src/serialize.js';

type Unadjusted = Extract<CombatWarning, { code: 'unadjusted-features' }>;

function unadjusted(warnings: readonly CombatWarning[]): Unadjusted {
  const found = warnings.find((w): w is Unadjusted => w.code === 'unadjusted-features');
  if (found === undefined) return expect.fail('expected an unadjusted-features warning');
  return found;
}

describe('unadjusted features say why, one reason per feature', () => {
  // 24 samples in siteA, siteB, siteC (8 each, sexes alternating); one feature per cause.
  const { matrix, covariates } = syntheticData({ seed: 21, batchSizes: [8, 8, 8], features: 9 });
  const V = 9;
  const data = matrix.data.slice();
  const batchOf = (i: number) => covariates.batch[i];
  const male = (i: number) => covariates.categorical.sex![i] === 'M';
  const age = covariates.continuous.age!;
  for (let i = 0; i < 24; i++) {
    const at = (v: number) => i * V + v;
    if (batchOf(i) === 'siteB') data[at(1)] = NaN; // 1: no value in siteB
    data[at(2)] *= 1e160; // 2: squares overflow in siteA, the first batch
    if (batchOf(i) === 'siteC' && i !== 16) data[at(3)] = NaN; // 3: a single value in siteC
    if (batchOf(i) === 'siteA') data[at(4)] = 42; // 4: constant in siteA
    if (male(i)) data[at(5)] = NaN; // 5: no male left: sex:M cannot be estimated
    data[at(6)] = 3 + (batchOf(i) === 'siteB' ? 2 : 0) + 0.5 * age[i]! + (male(i) ? 2 : 0); // 6: an exact fit
    data[at(7)] = data[at(7)]! * 1e150 + (batchOf(i) === 'siteA' ? -1e160 : 1e160); // 7: sums around a common origin overflow
  }
  const input: DataMatrix = { ...matrix, data };

  it('gives each unadjusted feature its cause and batch, aligned with features', () => {
    const { warnings, model, data: output } = harmonize(input, covariates, { eb: false });
    const warning = unadjusted(warnings);
    expect(warning.features).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(warning.reasons).toEqual([
      { cause: 'no-value-in-batch', batch: 'siteB' },
      { cause: 'overflow', batch: 'siteA' },
      { cause: 'too-few-values-in-batch', batch: 'siteC' },
      { cause: 'constant-in-batch', batch: 'siteA' },
      { cause: 'not-solvable' },
      { cause: 'zero-pooled-variance' },
      { cause: 'overflow' },
    ]);
    expect(warning.message).toBe(
      '7 feature(s) left unadjusted: no finite value in batch siteB: 1; values too large for float64 (a sum in batch siteA overflowed): 2; ' +
        'a single finite value in batch siteC: 3; constant within batch siteA: 4; missing cells leave the regression unsolvable: 5; ' +
        'zero pooled variance (the covariates fit exactly): 6; values too large for float64 (an estimate overflowed): 7',
    );
    expect(Array.from(model.adjusted)).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 1]);
    for (let at = 0; at < output.length; at++) {
      if (model.adjusted[at % V] === 0) expect(Object.is(output[at], data[at])).toBe(true);
      else expect(Number.isFinite(output[at])).toBe(true);
    }
  });

  it('names overflow rather than a zero variance, and keeps NaN out, with empirical Bayes too', () => {
    const { warnings, data: output } = harmonize(input, covariates);
    expect(unadjusted(warnings).reasons[1]).toEqual({ cause: 'overflow', batch: 'siteA' });
    expect(unadjusted(warnings).reasons[6]).toEqual({ cause: 'overflow' });
    expect(output.every((y, at) => Number.isFinite(y) || Number.isNaN(data[at]!))).toBe(true);
  });

  it('says why when too few features are left for empirical Bayes', () => {
    const two: DataMatrix = { data: data.filter((_, at) => at % V === 2 || at % V === 8), samples: 24, features: 2 };
    expect(() => harmonize(two, covariates)).toThrow(
      'empirical Bayes needs at least 2 adjustable features to estimate its priors; found 1 (left unadjusted: values too large for float64 (a sum in batch siteA overflowed): 0); use { eb: false }',
    );
  });

  it('leaves a batch whose residuals are exactly explained by the covariates unadjusted', () => {
    // siteA: y = 1 + 2 age exactly; siteB and siteC add noise orthogonal to age and to 1, so the
    // pooled age slope is 2 and siteA's residuals are rounding: its scale factor would amplify it.
    const ages = [1, 2, 3, 4];
    const noise: Record<string, number[]> = { a: [0, 0, 0, 0], b: [1, -1, -1, 1], c: [-1, 3, -3, 1] };
    const batch = ['a', 'b', 'c'].flatMap((b) => [b, b, b, b]);
    const features = 3;
    const values = new Float64Array(12 * features);
    batch.forEach((b, i) => {
      const x = ages[i % 4]!;
      values[i * features] = 1 + (b === 'a' ? 0 : 3) + 2 * x + noise[b]![i % 4]!;
      values[i * features + 1] = Math.sin(i) + x;
      values[i * features + 2] = Math.cos(i * 3) - x;
    });
    const fit = harmonize({ data: values, samples: 12, features }, { batch, continuous: { age: batch.map((_, i) => ages[i % 4]!) } }, { eb: false });
    expect(unadjusted(fit.warnings)).toMatchObject({ features: [0], reasons: [{ cause: 'zero-variance-in-batch', batch: 'a' }] });
    expect(fit.data.every(Number.isFinite)).toBe(true);
    expect(Array.from({ length: 12 }, (_, i) => fit.data[i * features])).toEqual(Array.from({ length: 12 }, (_, i) => values[i * features]));
  });

  it('keeps NaN out when the parametric solver overflows (standardized batch effects around 1e120)', () => {
    // The reference batch varies by 1e-120, the other by 1: standardized, the other batch's effects
    // are around 1e120 and the solver's products t2 * m * gammaHat overflow.
    // The reference batch comes first, so the common origin of the sums keeps its digits.
    const batch = Array.from({ length: 16 }, (_, i) => (i < 8 ? 'a' : 'b'));
    const features = 4;
    const values = Float64Array.from({ length: 16 * features }, (_, at) => {
      const i = Math.floor(at / features);
      const wiggle = Math.sin(at * 1.3 + (at % features));
      return i < 8 ? 1e-120 * wiggle : 5 + (at % features) + wiggle;
    });
    const fit = harmonize({ data: values, samples: 16, features }, { batch }, { refBatch: 'a' });
    const warning = unadjusted(fit.warnings);
    expect(warning.features).toEqual([0, 1, 2, 3]);
    expect(warning.reasons).toEqual([0, 1, 2, 3].map(() => ({ cause: 'overflow', batch: 'b' })));
    expect(fit.data).toEqual(values);
    expect(() => checkModel(fit.model)).not.toThrow();
  });
});

describe('a categorical covariate with very many levels', () => {
  // 30 samples in 3 batches; "age" as 10 levels, each once in every batch: 9 level effects > 30 / 4.
  const { matrix, covariates } = syntheticData({ seed: 4, batchSizes: [10, 10, 10], features: 5 });
  const age = covariates.batch.map((_, i) => String(40 + (i % 10)));
  const message = 'categorical covariate age has 10 levels for 30 samples (fewer than 4 samples per level effect on average); if its values are numbers (an age), give it as a continuous covariate';

  it('warns, naming the covariate and its level count', () => {
    const { warnings } = harmonize(matrix, { batch: covariates.batch, categorical: { age } }, { eb: false });
    expect(warnings).toEqual([{ code: 'many-levels', covariate: 'age', levels: 10, samples: 30, message }]);
  });

  it('warns from a streaming fit too, and not for a covariate of few levels', () => {
    const accumulator = new CombatAccumulator(codeDesign({ batch: covariates.batch, categorical: { age } }), 5);
    for (let i = 0; i < 30; i++) {
      accumulator.add({ data: matrix.data.slice(i * 5, i * 5 + 5), samples: 1, features: 5 }, { batch: [covariates.batch[i]!], categorical: { age: [age[i]!] } });
    }
    expect(finalizeModel(accumulator.statistics(), { eb: false }).warnings.map((w) => w.code)).toEqual(['many-levels']);
    expect(harmonize(matrix, covariates).warnings).toEqual([]);
  });

  it('says so in the error when its levels nest in batches (ages of one batch only)', () => {
    const unique = covariates.continuous.age!;
    const nested = Array.from(unique, (a) => String(Math.round(a * 1000)));
    expect(() => harmonize(matrix, { batch: covariates.batch, categorical: { age: nested } })).toThrow(
      /^at least one covariate is confounded with batch \(columns age:\d+, .*; batches siteA, siteB\); remove the confounded covariates; categorical covariate age has 30 levels for 30 samples/,
    );
  });

  it('does not warn at the boundary: 7 level effects for 28 samples', () => {
    const { matrix: m28, covariates: c28 } = syntheticData({ seed: 5, batchSizes: [14, 14], features: 4 });
    const fit = (levels: number) => harmonize(m28, { batch: c28.batch, categorical: { group: c28.batch.map((_, i) => `g${i % levels}`) } }, { eb: false }).warnings.map((w) => w.code);
    expect(fit(8)).toEqual([]);
    expect(fit(9)).toEqual(['many-levels']);
  });
});
