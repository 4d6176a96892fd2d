import { selectSamples, thrownBy } from '@combat/test-support';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CombatAccumulator, ConfoundedDesignError, codeDesign, finalizeModel, harmonize, mergeStatistics, type Covariates, type DataMatrix } from '../src/index.js';

/** 12 samples in batches a, b, c (4 each) with 3 features of unstructured values. */
const batch = ['a', 'b', 'c'].flatMap((b) => [b, b, b, b]);
const matrix: DataMatrix = { data: Float64Array.from({ length: 12 * 3 }, (_, i) => Math.sin(i * 1.7) * 10 + (i % 5)), samples: 12, features: 3 };
const age = [30, 41, 52, 33, 45, 60, 29, 38, 50, 44, 57, 36];

function confounded(covariates: Covariates, refBatch: string | null = null, data: DataMatrix = matrix): ConfoundedDesignError {
  return thrownBy(() => harmonize(data, covariates, { refBatch }), ConfoundedDesignError);
}

describe('a confounded design names the batch and the covariate level involved', () => {
  it('a level that occurs only in one batch, and in all of its samples', () => {
    const scanner = batch.map((b) => (b === 'b' ? 'y' : 'x'));
    const e = confounded({ batch, categorical: { scanner }, continuous: { age } });
    expect(e.message).toBe(
      'at least one covariate is confounded with batch: level y of scanner occurs only in batch b, and in all of its samples (column scanner:y; batch b); remove the confounded covariates',
    );
    expect(e).toMatchObject({ columns: ['scanner:y'], batches: ['b'] });
  });

  it('of two levels, the one in fewer batches; of three, each level that batches determine', () => {
    const two = confounded({ batch, categorical: { sex: batch.map((b) => (b === 'a' ? 'F' : 'M')) } });
    expect(two.message).toBe('the covariate is confounded with batch: level F of sex occurs only in batch a, and in all of its samples (column sex:M; batch a); remove it');
    const manyBatches = confounded({ batch, categorical: { sex: batch.map((b) => (b === 'a' ? 'M' : 'F')) } });
    expect(manyBatches.message).toBe('the covariate is confounded with batch: level M of sex occurs only in batch a, and in all of its samples (column sex:M; batch a); remove it');
    // x (the dropped level) is exactly batch a; y and z are mixed within b and c.
    const scanner = batch.map((b, i) => (b === 'a' ? 'x' : i % 2 === 0 ? 'y' : 'z'));
    const three = confounded({ batch, categorical: { scanner }, continuous: { age } });
    expect(three.message).toBe(
      'at least one covariate is confounded with batch: level x of scanner occurs only in batch a, and in all of its samples (columns scanner:y, scanner:z; batch a); remove the confounded covariates',
    );
  });

  it('two dependencies at once: both levels, both batches, in design order', () => {
    const scanner = batch.map((b) => (b === 'b' ? 'new' : 'old'));
    const protocol = batch.map((b) => (b === 'c' ? 'p2' : 'p1'));
    const e = confounded({ batch, categorical: { scanner, protocol }, continuous: { age } });
    expect(e.message).toBe(
      'at least one covariate is confounded with batch: level new of scanner occurs only in batch b, and in all of its samples; level p2 of protocol occurs only in batch c, and in all of its samples (columns scanner:old, protocol:p2; batches b, c); remove the confounded covariates',
    );
    expect(e.columns).toEqual(['scanner:old', 'protocol:p2']);
  });

  it('a continuous covariate constant within each batch', () => {
    const field = batch.map((b) => (b === 'a' ? 1.5 : 3));
    const e = confounded({ batch, continuous: { age, field } });
    expect(e.message).toBe(
      'at least one covariate is confounded with batch: continuous covariate field is constant within each batch (column field; batches a, b, c); remove the confounded covariates',
    );
  });

  it('a level that occurs in no sample added to an accumulator', () => {
    const sex = batch.map((_, i) => (i % 2 === 0 ? 'F' : 'M'));
    const accumulator = new CombatAccumulator(codeDesign({ batch, categorical: { sex } }), 3);
    const females = [0, 2, 4, 6, 8, 10];
    const rows = selectSamples(matrix, { batch, categorical: { sex }, continuous: {} }, females);
    accumulator.add(rows.matrix, rows.covariates);
    expect(() => finalizeModel(accumulator.statistics())).toThrow(
      new ConfoundedDesignError('the covariate is confounded with batch: level M of sex occurs in no sample (column sex:M); remove it', ['sex:M']),
    );
  });

  it('gives the same message for every order of the samples, every reference batch and every merge order', () => {
    const scanner = batch.map((b) => (b === 'b' ? 'new' : 'old'));
    const protocol = batch.map((b) => (b === 'c' ? 'p2' : 'p1'));
    const covariates = { batch, categorical: { scanner, protocol }, continuous: { age } };
    const expected = confounded(covariates).message;
    fc.assert(
      fc.property(fc.shuffledSubarray([...Array(12).keys()], { minLength: 12 }), fc.constantFrom(null, 'a', 'b', 'c'), fc.integer({ min: 1, max: 11 }), (order, refBatch, split) => {
        const shuffled = selectSamples(matrix, covariates, order);
        expect(confounded(shuffled.covariates, refBatch, shuffled.matrix).message).toBe(expected);
        const coding = codeDesign(covariates);
        const [first, second] = [order.slice(0, split), order.slice(split)].map((part) => {
          const rows = selectSamples(matrix, covariates, part);
          return new CombatAccumulator(coding, 3).add(rows.matrix, rows.covariates).statistics();
        });
        expect(() => finalizeModel(mergeStatistics(second!, first!), { refBatch })).toThrow(expected);
      }),
      { numRuns: 40 },
    );
  });
});
