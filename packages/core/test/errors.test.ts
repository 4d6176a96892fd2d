import { syntheticData } from '@combat/test-support';
import { describe, expect, it } from 'vitest';
import {
  CombatAccumulator,
  CombatError,
  CovariateNameError,
  ConfoundedDesignError,
  EmptyInputError,
  IncompatibleStatisticsError,
  InvalidValueError,
  ModelFormatError,
  ShapeMismatchError,
  TooFewBatchesError,
  TooFewSamplesError,
  TooFewFeaturesError,
  UnknownBatchError,
  UnknownCovariateError,
  applyCombat,
  applyEncoded,
  codeDesign,
  deserializeModel,
  encodeCovariates,
  finalizeModel,
  mergeStatistics,
  harmonize,
  serializeModel,
  type Covariates,
  type DataMatrix,
} from '../src/index.js';

const { matrix, covariates } = syntheticData({ seed: 7, batchSizes: [6, 6, 5], features: 4 });

/** Runs `run`, expects it to throw `type` with a message matching `message`, and returns it. */
function expectError<T extends CombatError>(run: () => unknown, type: abstract new (...args: never[]) => T, message: RegExp): T {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(type);
    expect(error).toBeInstanceOf(CombatError);
    expect((error as Error).message).toMatch(message);
    return error as T;
  }
  return expect.fail(`expected ${type.name}`);
}

describe('bad input gives a typed error', () => {
  it('data length that is not samples x features', () => {
    const e = expectError(() => harmonize({ ...matrix, data: matrix.data.subarray(1) }, covariates), ShapeMismatchError, /67 values; expected samples x features = 17 x 4 = 68/);
    expect(e.code).toBe('SHAPE_MISMATCH');
  });

  it('data that is not a float typed array', () => {
    expectError(() => harmonize({ ...matrix, data: Array.from(matrix.data) as unknown as Float64Array }, covariates), ShapeMismatchError, /Float64Array or Float32Array; found \[object Array\]/);
  });

  it('batch labels that do not match the samples', () => {
    expectError(() => harmonize(matrix, { ...covariates, batch: covariates.batch.slice(1) }), ShapeMismatchError, /batch labels has 16 values; expected one per sample \(17\)/);
  });

  it('fewer than two batches', () => {
    const e = expectError(() => harmonize(matrix, { batch: covariates.batch.map(() => 'only') }), TooFewBatchesError, /at least 2 batches; found 1 \("only"\)/);
    expect(e.code).toBe('TOO_FEW_BATCHES');
  });

  it('an unknown reference batch', () => {
    expectError(() => harmonize(matrix, covariates, { refBatch: 'siteZ' }), UnknownBatchError, /reference batch "siteZ" is not among the batches \(siteA, siteB, siteC\)/);
  });

  it('a covariate with the wrong length', () => {
    expectError(() => harmonize(matrix, { ...covariates, continuous: { age: [1, 2, 3] } }), ShapeMismatchError, /continuous covariate "age" has 3 values; expected one per sample \(17\)/);
    expectError(() => harmonize(matrix, { ...covariates, categorical: { sex: ['F'] } }), ShapeMismatchError, /categorical covariate "sex" has 1 values/);
  });

  it('a missing covariate value', () => {
    const sex = [...covariates.categorical.sex!];
    sex[4] = '';
    const e = expectError(() => harmonize(matrix, { ...covariates, categorical: { sex } }), InvalidValueError, /^sample 4: categorical covariate "sex" is ""; expected a non-empty string$/);
    expect(e).toMatchObject({ sample: 4, detail: 'categorical covariate "sex" is ""; expected a non-empty string' });
    const batch = [...covariates.batch];
    batch[2] = undefined as unknown as string;
    expect(expectError(() => harmonize(matrix, { ...covariates, batch }), InvalidValueError, /^sample 2: batch labels is undefined/).sample).toBe(2);
  });

  it('a non-finite continuous covariate', () => {
    const age = Float64Array.from(covariates.continuous.age!);
    age[9] = Infinity;
    const e = expectError(() => harmonize(matrix, { ...covariates, continuous: { age } }), InvalidValueError, /^sample 9: continuous covariate "age" is Infinity; expected a finite number$/);
    expect(e.code).toBe('INVALID_VALUE');
    expect(e.sample).toBe(9);
  });

  it('an infinite data value (missing cells are NaN)', () => {
    const data = matrix.data.slice();
    data[2 * 4 + 3] = -Infinity;
    const e = expectError(() => harmonize({ ...matrix, data }, covariates), InvalidValueError, /^sample 2, feature 3: data value is -Infinity; expected a finite number or NaN/);
    expect(e).toMatchObject({ sample: 2, feature: 3 });
  });

  it('no samples or no features', () => {
    const e = expectError(() => harmonize({ data: new Float64Array(0), samples: 0, features: 4 }, { batch: [] }), EmptyInputError, /at least one sample and one feature; found samples = 0/);
    expect(e.code).toBe('EMPTY_INPUT');
    expectError(() => harmonize({ data: new Float64Array(0), samples: 17, features: 0 }, covariates), EmptyInputError, /features = 0/);
  });

  describe('a confounded design, with sva three cases', () => {
    const batch = ['a', 'a', 'a', 'b', 'b', 'b', 'c', 'c', 'c'];
    const small: DataMatrix = { data: Float64Array.from({ length: 9 * 3 }, (_, i) => Math.sin(i) * 10), samples: 9, features: 3 };

    it('the only covariate is confounded with batch', () => {
      const e = expectError(
        () => harmonize(small, { batch, categorical: { scanner: ['x', 'x', 'x', 'y', 'y', 'y', 'x', 'x', 'x'] } }),
        ConfoundedDesignError,
        /^the covariate is confounded with batch: level y of scanner occurs only in batch b, and in all of its samples \(column scanner:y; batch b\); remove it$/,
      );
      expect(e.columns).toEqual(['scanner:y']);
      expect(e.batches).toEqual(['b']);
      expect(e.code).toBe('CONFOUNDED_DESIGN');
    });

    it('the covariates are confounded with each other', () => {
      const age = [30, 41, 52, 33, 45, 60, 29, 38, 50];
      const e = expectError(
        () => harmonize(small, { batch, continuous: { age, months: age.map((a) => a * 12), sex: [1, 0, 1, 0, 1, 0, 1, 0, 1] } }),
        ConfoundedDesignError,
        /^the covariates are confounded with each other \(columns age, months\); remove one of them$/,
      );
      expect(e.columns).toEqual(['age', 'months']);
      expect(e.batches).toEqual([]);
    });

    it('a covariate among several is confounded with batch', () => {
      const e = expectError(
        () => harmonize(small, { batch, categorical: { scanner: ['x', 'x', 'x', 'y', 'y', 'y', 'x', 'x', 'x'] }, continuous: { age: [30, 41, 52, 33, 45, 60, 29, 38, 50] } }),
        ConfoundedDesignError,
        /^at least one covariate is confounded with batch: level y of scanner occurs only in batch b, and in all of its samples \(column scanner:y; batch b\); remove the confounded covariates$/,
      );
      expect(e.columns).toEqual(['scanner:y']);
      expect(e.batches).toEqual(['b']);
    });
  });

  it('empirical Bayes with fewer than two adjustable features', () => {
    const single: DataMatrix = { data: matrix.data.filter((_, i) => i % 4 === 0), samples: 17, features: 1 };
    const e = expectError(() => harmonize(single, covariates), TooFewFeaturesError, /at least 2 adjustable features .* found 1; use \{ eb: false \}$/);
    expect(e.remedy).toEqual({ eb: false });
    expect(harmonize(single, covariates, { eb: false }).data.every(Number.isFinite)).toBe(true);
  });

  it('a covariate too large for float64 squares is an error naming it, not a crash of the rank test', () => {
    const age = Array.from({ length: 17 }, (_, i) => (i === 3 ? 1e200 : 40 + i));
    expectError(() => harmonize(matrix, { batch: covariates.batch, continuous: { age } }), InvalidValueError, /covariate column "age" has values too large for float64/);
  });

  it('apply refuses a value whose adjustment overflows, naming the sample and feature', () => {
    const { model } = harmonize(matrix, covariates);
    // A cell whose batch scale is above 1 (deltaStar < 1), so the largest float64 grows past it.
    const at = Array.from({ length: 17 * 4 }, (_, k) => k).find((k) => (model.batches.get(covariates.batch[Math.floor(k / 4)]!)!.deltaStar[k % 4] as number) < 1) as number;
    const data = Float64Array.from(matrix.data);
    data[at] = 1.7976931348623157e308;
    const e = expectError(() => applyCombat(model, { ...matrix, data }, covariates), InvalidValueError, /too large for float64 arithmetic/);
    expect([e.sample, e.feature]).toEqual([Math.floor(at / 4), at % 4]);
  });

  it.each([
    ['a trailing space', 'siteA '],
    ['another Unicode form', 'site\u00c9'.normalize('NFD')],
  ])('batch labels that differ only by %s are refused, naming both', (_, twin) => {
    const base = twin.trim().normalize('NFC');
    const batch = covariates.batch.map((b, i) => (b === 'siteA' ? (i % 2 === 0 ? base : twin) : b));
    expectError(() => harmonize(matrix, { batch }), CovariateNameError, /batch has the labels .* which differ only in spaces or Unicode form/);
  });

  it('no adjustable feature at all: no remedy, since without empirical Bayes nothing would be adjusted either', () => {
    const constant: DataMatrix = { data: new Float64Array(17 * 3).fill(5), samples: 17, features: 3 };
    const e = expectError(() => harmonize(constant, covariates), TooFewFeaturesError, /found 0 \(left unadjusted: constant within batch/);
    expect(e.remedy).toBeUndefined();
  });
});

describe('applying a model to new samples', () => {
  const { model } = harmonize(matrix, covariates);
  const one = (over: Partial<Covariates>): Covariates => ({ batch: ['siteB'], categorical: { sex: ['M'] }, continuous: { age: [50] }, ...over });
  const row: DataMatrix = { data: matrix.data.slice(0, 4), samples: 1, features: 4 };

  it('rejects a batch unseen in training, naming it and the option that estimates it', () => {
    const e = expectError(
      () => applyCombat(model, row, one({ batch: ['siteQ'] })),
      UnknownBatchError,
      /^sample 0: batch "siteQ" was not seen in training \(known: siteA, siteB, siteC\); use \{ newBatches: "estimate" \}$/,
    );
    expect(e.sample).toBe(0);
    expectError(() => applyEncoded(model, row, encodeCovariates(model.coding, one({ batch: ['siteQ'] }))), UnknownBatchError, /^sample 0: batch "siteQ" was not seen in training \(known: siteA, siteB, siteC\)$/);
  });

  it('refuses to estimate a new batch from a single sample, naming it', () => {
    expectError(() => applyCombat(model, row, one({ batch: ['siteQ'] }), { newBatches: 'estimate' }), TooFewSamplesError, /^new batch siteQ has 1 sample; estimating a new batch needs at least 2$/);
  });

  it('rejects a categorical level unseen in training, naming it', () => {
    const e = expectError(() => applyCombat(model, row, one({ categorical: { sex: ['X'] } })), UnknownCovariateError, /^sample 0: categorical covariate "sex" has level "X", unseen in training \(known: F, M\)$/);
    expect(e.code).toBe('UNKNOWN_COVARIATE');
    expect(e.sample).toBe(0);
  });

  it('rejects missing or unknown covariates', () => {
    expectError(() => applyCombat(model, row, one({ continuous: {} })), UnknownCovariateError, /missing continuous "age"/);
    expectError(() => applyCombat(model, row, one({ continuous: { age: [50], weight: [70] } })), UnknownCovariateError, /not in the design: continuous "weight"/);
  });

  it('refuses an infinite value as harmonize does, naming sample and feature, before writing any output', () => {
    const data = matrix.data.slice(0, 8);
    data[1 * 4 + 2] = Infinity;
    const two: DataMatrix = { data, samples: 2, features: 4 };
    const covariates = { batch: ['siteA', 'siteC'], categorical: { sex: ['F', 'M'] }, continuous: { age: [40, 50] } };
    const e = expectError(() => applyCombat(model, two, covariates), InvalidValueError, /^sample 1, feature 2: data value is Infinity; expected a finite number or NaN for a missing cell$/);
    expect(e).toMatchObject({ sample: 1, feature: 2 });
    const out = new Float64Array(8).fill(7);
    data[1 * 4 + 2] = -Infinity;
    expectError(() => applyEncoded(model, two, encodeCovariates(model.coding, covariates), out), InvalidValueError, /^sample 1, feature 2: data value is -Infinity/);
    expect(Array.from(out)).toEqual(new Array(8).fill(7));
  });

  it('rejects data with another number of features', () => {
    expectError(() => applyCombat(model, { data: new Float64Array(5), samples: 1, features: 5 }, one({})), ShapeMismatchError, /data has 5 features; expected 4/);
  });
});

describe('accumulators and serialized models', () => {
  it('refuses to merge statistics of different covariates or sizes', () => {
    const a = new CombatAccumulator(codeDesign(covariates), 4).add(matrix, covariates).statistics();
    const ages = { batch: covariates.batch, continuous: covariates.continuous };
    const b = new CombatAccumulator(codeDesign(ages), 4).add(matrix, ages).statistics();
    const e = expectError(() => mergeStatistics(a, b), IncompatibleStatisticsError, /different covariates: categorical "sex", continuous "age" vs continuous "age"$/);
    expect(e.code).toBe('INCOMPATIBLE_STATISTICS');
    const wide = { data: new Float64Array(17 * 5).fill(1), samples: 17, features: 5 };
    expectError(() => mergeStatistics(a, new CombatAccumulator(codeDesign(covariates), 5).add(wide, covariates).statistics()), IncompatibleStatisticsError, /statistics of 5 features with statistics of 4/);
  });

  it('refuses encoded rows that do not match the data', () => {
    const accumulator = new CombatAccumulator(codeDesign(covariates), 4);
    const rows = encodeCovariates(accumulator.coding, covariates);
    const twoRows: DataMatrix = { data: matrix.data.slice(0, 8), samples: 2, features: 4 };
    expectError(() => accumulator.addEncoded(twoRows, rows), ShapeMismatchError, /encoded covariates describe 17 samples .* expected 2 samples with 2 covariate columns/);
    expectError(() => applyEncoded(harmonize(matrix, covariates).model, twoRows, rows), ShapeMismatchError, /expected 2 samples/);
  });

  it('refuses to fit statistics of fewer than two batches', () => {
    expectError(() => finalizeModel(new CombatAccumulator(codeDesign(covariates), 4).statistics()), TooFewBatchesError, /^expected at least 2 batches; found 0$/);
  });

  it('refuses a serialized model of another version or with a wrong array', () => {
    const serialized = serializeModel(harmonize(matrix, covariates).model);
    const e = expectError(() => deserializeModel({ ...serialized, formatVersion: 99 }), ModelFormatError, /formatVersion is a number \(99\); expected 3, 2 or 1/);
    expect(e.code).toBe('MODEL_FORMAT');
    expectError(() => deserializeModel({ ...serialized, arrays: { ...serialized.arrays, gammaStar: new Float64Array(3) } }), ModelFormatError, /^arrays.gammaStar is a Float64Array of length 3; expected a Float64Array of length 12$/);
  });
});
