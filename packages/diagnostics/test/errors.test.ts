import { codeDesign, ConfoundedDesignError, EmptyInputError, InvalidArgumentError, InvalidValueError, ShapeMismatchError, TooFewBatchesError, TooFewSamplesError, type DataMatrix } from '@combat/core';
import { thrownBy } from '@combat/test-support';
import { describe, expect, it } from 'vitest';
import { anova, bartlett, benjaminiHochberg, fitCovariates, flignerKilleen, kruskalWallis, levene, testBatches } from '../src/index.js';

const batch = ['a', 'a', 'a', 'b', 'b', 'b'];
const values = [1.2, 1.9, 1.4, 2.8, 2.2, 2.5];
const matrix: DataMatrix = { data: Float64Array.from([1, 10, 2, 11, 3, 13, 5, 12, 6, 15, 7, 19]), samples: 6, features: 2 };
const SINGLE = { anova, kruskalWallis, levene, bartlett, flignerKilleen };

describe('each test of one feature refuses bad input with a typed error', () => {
  it.each(Object.entries(SINGLE))('%s: lengths, kinds, infinite values, a single batch', (name, test) => {
    expect(thrownBy(() => test(values.slice(1), batch), ShapeMismatchError).message).toBe('values has 5 entries; expected one per batch label (6)');
    expect(thrownBy(() => test('123' as never, batch), InvalidArgumentError).message).toBe(`${name}: values: expected a Float64Array, Float32Array or array of numbers; received a string ("123")`);
    expect(thrownBy(() => test(values, [...batch.slice(1), 7 as never]), InvalidArgumentError).message).toBe(`${name}: batch[5]: expected a string; received a number (7)`);
    const infinite = thrownBy(() => test([...values.slice(0, 4), -Infinity, 1], batch), InvalidValueError);
    expect([infinite.message, infinite.sample]).toEqual(['sample 4: value is -Infinity; expected a finite number or NaN for a missing value', 4]);
    const one = thrownBy(() => test([1, 2, 3, NaN, NaN, NaN], batch), TooFewBatchesError);
    expect(one.message).toMatch(/^expected finite values in at least 2 batches for the .+; found 1 \("a"\)$/);
  });

  it.each([
    ['levene', levene, 'Levene test'],
    ['bartlett', bartlett, 'Bartlett test'],
    ['flignerKilleen', flignerKilleen, 'Fligner-Killeen test'],
  ] as const)('%s: a batch with fewer than 2 finite values', (_, test, label) => {
    expect(thrownBy(() => test([1, 2, 3, 4, NaN, NaN], batch), TooFewSamplesError).message).toBe(`batch "b" has 1 finite value; expected at least 2 in every batch for the ${label}`);
  });

  it('the location tests take a batch of one value; the ANOVA needs more values than batches', () => {
    expect(anova([1, 2, 3, 4], ['a', 'a', 'a', 'b']).df2).toBe(2);
    expect(kruskalWallis([1, 2, 3, 4], ['a', 'a', 'a', 'b']).df).toBe(1);
    expect(thrownBy(() => anova([1, 2], ['a', 'b']), TooFewSamplesError).message).toBe('expected more finite values than batches for the ANOVA; found 2 values in 2 batches');
  });

  it('degenerate but valid data give what R gives: NaN for all values equal, Infinity for a constant batch in Bartlett', () => {
    const constant = [2, 2, 2, 2, 2, 2];
    expect(Number.isNaN(anova(constant, batch).statistic) && Number.isNaN(anova(constant, batch).p)).toBe(true);
    expect(Number.isNaN(kruskalWallis(constant, batch).statistic)).toBe(true);
    expect(bartlett([1, 1, 1, 2, 3, 4], batch)).toEqual({ statistic: Infinity, df: 1, p: 0 });
  });
});

describe('testBatches', () => {
  it('gives a feature it cannot test NaN and a cause, and goes on; an infinite value is an error naming the feature', () => {
    const data = matrix.data.slice();
    data[3 * 2 + 1] = NaN;
    data[4 * 2 + 1] = NaN;
    // Feature 1 keeps one value in batch b: the location tests take it, the scale tests cannot.
    const results = testBatches({ ...matrix, data }, batch, { features: ['lh_a', 'lh_b'] });
    for (const result of results) {
      const scale = result.test === 'levene' || result.test === 'bartlett' || result.test === 'fligner-killeen';
      expect(result.untested, result.test).toEqual(scale ? [{ feature: 1, cause: 'too-few-values-in-batch', batch: 'b' }] : []);
      expect(Number.isNaN(result.p[1]!), result.test).toBe(scale);
      expect(result.p[0], result.test).toBe(testBatches(matrix, batch, { tests: [result.test] })[0]!.p[0]);
      // The share is over the tested features.
      expect(result.share, result.test).toBe(Number(result.adjusted[0]! <= 0.05) * (scale ? 1 : 0.5) + (scale ? 0 : Number(result.adjusted[1]! <= 0.05) * 0.5));
    }
    expect(results[0]!.df2![1]).toBe(2);
    data[5 * 2 + 1] = NaN;
    const none = testBatches({ ...matrix, data }, batch);
    expect(none.map((result) => result.untested)).toEqual(none.map(() => [{ feature: 1, cause: 'too-few-batches' }]));
    const few = testBatches({ data: Float64Array.from([1, NaN, NaN, NaN, 5, NaN]), samples: 6, features: 1 }, batch, { tests: ['anova', 'kruskal-wallis'] });
    expect(few.map((result) => [result.untested, result.statistic[0]])).toEqual([[[{ feature: 0, cause: 'too-few-values' }], NaN], [[], expect.any(Number)]]);
    const constant = testBatches({ data: Float64Array.from([3, 3, 3, 3, 3, 3]), samples: 6, features: 1 }, batch);
    expect(constant.map((result) => result.untested)).toEqual([[{ feature: 0, cause: 'constant' }], [{ feature: 0, cause: 'constant' }], [{ feature: 0, cause: 'constant' }], [{ feature: 0, cause: 'constant' }], [{ feature: 0, cause: 'constant' }]]);
    expect(constant.map((result) => [result.df[0], result.share])).toEqual(constant.map(() => [1, NaN]));
    data[0] = Infinity;
    const infinite = thrownBy(() => testBatches({ ...matrix, data }, batch), InvalidValueError);
    expect([infinite.message, infinite.sample, infinite.feature]).toEqual(['sample 0, feature 0: value is Infinity; expected a finite number or NaN for a missing value', 0, 0]);
  });

  it('checks the matrix, the labels and the options', () => {
    expect(thrownBy(() => testBatches({ ...matrix, samples: 5 }, batch), ShapeMismatchError).message).toBe('data has 12 values; expected samples x features = 5 x 2 = 10');
    expect(thrownBy(() => testBatches({ data: new Float64Array(0), samples: 0, features: 2 }, []), EmptyInputError).message).toBe('expected at least one sample and one feature; found samples = 0, features = 2');
    expect(thrownBy(() => testBatches(matrix, batch.slice(1)), ShapeMismatchError).message).toBe('batch has 5 labels; expected one per sample (6)');
    expect(thrownBy(() => testBatches(matrix, batch, { features: ['x'] }), ShapeMismatchError).message).toBe('options.features has 1 names; expected one per feature (2)');
    expect(thrownBy(() => testBatches(matrix, batch, { tests: ['t-test' as never] }), InvalidArgumentError).message).toBe(
      "testBatches: options.tests[0]: expected 'anova', 'kruskal-wallis', 'levene', 'bartlett' or 'fligner-killeen'; received a string (\"t-test\")",
    );
    expect(thrownBy(() => testBatches(matrix, batch, { tests: [] }), InvalidArgumentError).message).toBe('testBatches: options.tests: expected at least one test; received an array of 0');
    expect(thrownBy(() => testBatches(matrix, batch, { fdr: 5 }), InvalidArgumentError).message).toBe('testBatches: options.fdr: expected a number between 0 and 1; received a number (5)');
    expect(thrownBy(() => testBatches({ ...matrix, data: Array.from(matrix.data) as never }, batch), InvalidArgumentError).message).toBe('matrix.data: expected a Float64Array or Float32Array; received an array of 12');
  });
});

describe('benjaminiHochberg', () => {
  it('refuses what is not a p-value', () => {
    expect(thrownBy(() => benjaminiHochberg([0.1, -0.5]), InvalidArgumentError).message).toBe('benjaminiHochberg: p[1]: expected a number from 0 to 1, or NaN; received a number (-0.5)');
    expect(thrownBy(() => benjaminiHochberg(null as never), InvalidArgumentError).message).toBe('benjaminiHochberg: p: expected a Float64Array, Float32Array or array of numbers; received null');
  });
});

describe('fitCovariates', () => {
  const covariates = { batch, categorical: { dx: ['AD', 'CN', 'AD', 'CN', 'MCI', 'CN'] }, continuous: { age: [61, 70, 65, 72, 80, 58] } };
  const coding = codeDesign(covariates);

  it('gives a feature whose finite values leave the design rank deficient, or are too few, NaN and a cause, and goes on', () => {
    const data = matrix.data.slice();
    data[4 * 2 + 1] = NaN; // the only MCI sample of feature 1
    const fit = fitCovariates({ ...matrix, data }, coding, covariates, { features: ['lh_a', 'lh_b'] });
    expect(fit.unfitted).toEqual([{ feature: 1, cause: 'confounded', columns: ['dx:MCI'] }]);
    const whole = fitCovariates(matrix, coding, covariates);
    for (let i = 0; i < 6; i++) expect([fit.residuals.data[i * 2], fit.residuals.data[i * 2 + 1]]).toEqual([whole.residuals.data[i * 2], NaN]);
    expect(fit.terms.map((term) => [term.partialR2[0], term.partialR2[1]])).toEqual(whole.terms.map((term) => [term.partialR2[0], NaN]));
    expect(fit.terms.flatMap((term) => term.correlation.map((series) => series.values[1]))).toEqual(whole.terms.flatMap((term) => term.correlation.map(() => NaN)));
    expect(Array.from({ length: 4 }, (_, k) => fit.coefficients[k * 2 + 1])).toEqual([NaN, NaN, NaN, NaN]);
    const sparse = matrix.data.slice();
    for (const i of [0, 1, 2]) sparse[i * 2] = NaN;
    expect(fitCovariates({ ...matrix, data: sparse }, coding, covariates).unfitted).toEqual([{ feature: 0, cause: 'too-few-values' }]);
  });

  it('refuses a design rank deficient on all samples, too few samples for the design, and mismatched shapes', () => {
    const twice = { batch, continuous: { age: covariates.continuous.age, months: covariates.continuous.age.map((x) => 12 * x) } };
    const error = thrownBy(() => fitCovariates(matrix, codeDesign(twice), twice), ConfoundedDesignError);
    expect(error.message).toBe('the covariates are collinear on all samples: months adds nothing to the columns before; expected full column rank');
    // No feature is complete: the design is still checked on all samples.
    const holes = matrix.data.slice();
    holes[0] = NaN;
    holes[3] = NaN;
    expect(thrownBy(() => fitCovariates({ ...matrix, data: holes }, codeDesign(twice), twice), ConfoundedDesignError).message).toBe(error.message);
    const three = { batch: batch.slice(0, 3), categorical: { dx: covariates.categorical.dx.slice(0, 3) }, continuous: { age: covariates.continuous.age.slice(0, 3) } };
    const few = thrownBy(() => fitCovariates({ data: matrix.data.slice(0, 6), samples: 3, features: 2 }, coding, three), TooFewSamplesError);
    expect(few.message).toBe("3 samples; expected at least as many as the design's columns (4: the intercept and 3 covariate columns)");
    const data = matrix.data.slice();
    data[7] = -Infinity;
    const infinite = thrownBy(() => fitCovariates({ ...matrix, data }, coding, covariates, { features: ['lh_a', 'lh_b'] }), InvalidValueError);
    expect([infinite.message, infinite.sample, infinite.feature]).toEqual(['sample 3, feature 1: lh_b: value is -Infinity; expected a finite number or NaN for a missing value', 3, 1]);
    const short = { batch: batch.slice(1), categorical: { dx: covariates.categorical.dx.slice(1) }, continuous: { age: covariates.continuous.age.slice(1) } };
    expect(thrownBy(() => fitCovariates(matrix, coding, short), ShapeMismatchError).message).toBe('covariates describe 5 samples; expected one per sample of the data (6)');
  });
});
