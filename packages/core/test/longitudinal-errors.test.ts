import { longitudinalStudy, thrownBy } from '@combat/test-support';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CombatError,
  ConfoundedDesignError,
  CovariateNameError,
  InvalidArgumentError,
  InvalidValueError,
  ShapeMismatchError,
  TooFewFeaturesError,
  TooFewSamplesError,
  harmonizeLongitudinal,
  type LongitudinalOptions,
} from '../src/index.js';

const study = longitudinalStudy({ seed: 7, subjects: 20, maxVisits: 4, sites: 3, features: 4, subjectSd: 0.8, movers: false });
const { matrix, covariates, subject } = study;
const V = matrix.features;

describe('harmonizeLongitudinal refuses what it cannot fit', () => {
  it('a missing value, naming the sample and the feature and saying that complete data are needed', () => {
    const data = matrix.data.slice();
    data[5 * V + 2] = NaN;
    const error = thrownBy(() => harmonizeLongitudinal({ ...matrix, data }, covariates, { subject }), InvalidValueError);
    expect([error.sample, error.feature]).toEqual([5, 2]);
    expect(error.message).toBe('sample 5, feature 2: data value is missing (NaN); longitudinal ComBat needs complete data: impute it, or leave out the sample or the feature');
  });

  it('an infinite value', () => {
    const data = matrix.data.slice();
    data[3 * V] = -Infinity;
    const error = thrownBy(() => harmonizeLongitudinal({ ...matrix, data }, covariates, { subject }), InvalidValueError);
    expect(error.message).toBe('sample 3, feature 0: data value is -Infinity; expected a finite number');
  });

  it('a batch of one sample', () => {
    const batch = covariates.batch.slice();
    batch[0] = 'siteZ';
    const error = thrownBy(() => harmonizeLongitudinal(matrix, { ...covariates, batch }, { subject }), TooFewSamplesError);
    expect(error.message).toBe('batch siteZ has 1 sample; longitudinal ComBat needs at least 2 per batch to estimate its scale');
  });

  it('one subject for every sample, or a subject per sample', () => {
    expect(thrownBy(() => harmonizeLongitudinal(matrix, covariates, { subject: subject.map(() => 'sub-1') }), InvalidValueError).message).toBe(
      'every sample is of one subject ("sub-1"); longitudinal ComBat needs several subjects',
    );
    expect(thrownBy(() => harmonizeLongitudinal(matrix, covariates, { subject: subject.map((_, i) => `scan-${i}`) }), InvalidValueError).message).toBe(
      `every sample is of a subject of its own (${matrix.samples} subjects); longitudinal ComBat needs repeated scans of some subjects (without any, use harmonize)`,
    );
  });

  it('a missing subject label, or not one per sample', () => {
    const labels = subject.slice();
    labels[4] = '';
    const error = thrownBy(() => harmonizeLongitudinal(matrix, covariates, { subject: labels }), InvalidValueError);
    expect([error.sample, error.detail]).toEqual([4, 'subject label is ""; expected a non-empty string']);
    expect(thrownBy(() => harmonizeLongitudinal(matrix, covariates, { subject: subject.slice(1) }), ShapeMismatchError).message).toBe(
      `subject labels has ${matrix.samples - 1} values; expected one per sample (${matrix.samples})`,
    );
  });

  it('options without subjects', () => {
    expect(thrownBy(() => harmonizeLongitudinal(matrix, covariates, {} as LongitudinalOptions), InvalidArgumentError).message).toBe(
      'harmonizeLongitudinal: options.subject: expected an array of subject labels, one per sample; received undefined',
    );
  });

  it('one feature: the priors are estimated across features', () => {
    const one = { data: matrix.data.filter((_, k) => k % V === 0), samples: matrix.samples, features: 1 };
    expect(thrownBy(() => harmonizeLongitudinal(one, covariates, { subject }), TooFewFeaturesError).message).toBe(
      'longitudinal ComBat estimates its priors across features and needs at least 2; found 1',
    );
  });

  it('a covariate confounded with batch', () => {
    const scanner = covariates.batch.map((batch) => (batch === 'siteB' ? 'prisma' : 'trio'));
    const error = thrownBy(() => harmonizeLongitudinal(matrix, { ...covariates, categorical: { ...covariates.categorical, scanner } }, { subject }), ConfoundedDesignError);
    expect(error.columns).toEqual(['scanner:trio']);
  });

  it('a feature the fixed effects fit exactly within subjects (no residual variance to harmonize)', () => {
    const data = matrix.data.slice();
    for (let i = 0; i < matrix.samples; i++) data[i * V + 1] = 4 + 0.5 * (covariates.continuous.age[i] as number) + (subject[i] === subject[0] ? 3 : 0);
    const error = thrownBy(() => harmonizeLongitudinal({ ...matrix, data }, covariates, { subject }), InvalidValueError);
    expect(error.feature).toBe(1);
    expect(error.detail).toBe(
      'the covariates and batches that vary within subjects fit each subject\u2019s values exactly or to within rounding (a within-subject residual variance of 0, or under 1e-15 of the random intercept\u2019s), so the residual variance cannot be told from the random intercept; leave the feature out',
    );
  });

  it('a feature whose within-subject variation is at rounding level of the random intercept (the REML optimum beyond a ratio of 1e15)', () => {
    // Each subject's own value, spread about 1 across subjects, and within subjects 1e-8 of noise.
    const data = matrix.data.slice();
    const levels = [...new Set(subject)];
    for (let i = 0; i < matrix.samples; i++) data[i * V + 2] = Math.sin(levels.indexOf(subject[i]!)) + 1e-8 * Math.cos(i * 7.3);
    const error = thrownBy(() => harmonizeLongitudinal({ ...matrix, data }, covariates, { subject }), InvalidValueError);
    expect([error.feature, error.detail]).toEqual([
      2,
      'the covariates and batches that vary within subjects fit each subject\u2019s values exactly or to within rounding (a within-subject residual variance of 0, or under 1e-15 of the random intercept\u2019s), so the residual variance cannot be told from the random intercept; leave the feature out',
    ]);
  });

  it('repeated scans that leave no within-subject degrees of freedom', () => {
    // Subjects a and b have two scans each, the others one: two within-subject differences, fitted
    // exactly by age (which grows within a subject) and the site (subject a moves from siteA to siteB).
    const batch = ['siteA', 'siteB', 'siteA', 'siteA', 'siteB', 'siteB', 'siteA', 'siteB'];
    const few = { batch, categorical: { sex: ['F', 'F', 'M', 'M', 'F', 'M', 'M', 'F'] }, continuous: { age: [50, 51, 60, 61, 55, 58, 70, 64] } };
    const values = { data: Float64Array.from({ length: 16 }, (_, k) => Math.sin(k * 1.7) + k / 8), samples: 8, features: 2 };
    const error = thrownBy(() => harmonizeLongitudinal(values, few, { subject: ['a', 'a', 'b', 'b', 'c', 'd', 'e', 'f'] }), TooFewSamplesError);
    expect(error.message).toBe(
      '8 samples of 6 subjects leave no within-subject degrees of freedom once the 2 fixed-effect columns that vary within subjects are fitted, so the residual variance cannot be told from the random intercept; more repeated scans are needed',
    );
  });
});

describe('harmonizeLongitudinal refuses ComBat modes it does not support', () => {
  it.each([
    ['refBatch', 'siteA', 'null or absent', 'a string ("siteA")'],
    ['meanOnly', true, 'false or absent', 'a boolean (true)'],
    ['parametric', false, 'true or absent', 'a boolean (false)'],
    ['eb', false, 'true or absent', 'a boolean (false)'],
    ['maxIterations', 10, 'absent (its 30 iterations are fixed)', 'a number (10)'],
  ])('%s: %s', (key, value, expected, received) => {
    const options = { subject, [key]: value } as LongitudinalOptions;
    expect(thrownBy(() => harmonizeLongitudinal(matrix, covariates, options), InvalidArgumentError).message).toBe(
      `harmonizeLongitudinal: options.${key}: expected ${expected}: longitudinal ComBat does not support ${key}; received ${received}`,
    );
  });

  it('accepts the values of its one mode', () => {
    const plain = harmonizeLongitudinal(matrix, covariates, { subject });
    const options = { subject, refBatch: null, meanOnly: false, parametric: true, eb: true } as LongitudinalOptions;
    expect(harmonizeLongitudinal(matrix, covariates, options).data).toEqual(plain.data);
  });

  it('subject labels that differ only in surrounding spaces', () => {
    const labels = subject.map((s, i) => (i === subject.indexOf(subject[0]!, 1) ? `${s} ` : s));
    expect(thrownBy(() => harmonizeLongitudinal(matrix, covariates, { subject: labels }), CovariateNameError).message).toContain('differ only in spaces or Unicode form');
  });
});

describe('harmonizeLongitudinal on hostile subject labels', () => {
  it('gives a typed error or a finite result, never a silent NaN', () => {
    const label = fc.oneof(fc.constantFrom('a', 'b', 'c', 'd', 'a ', 'A', ''), fc.string({ maxLength: 3 }), fc.integer(), fc.constant(undefined), fc.constant(null));
    fc.assert(
      fc.property(fc.array(label, { minLength: matrix.samples - 1, maxLength: matrix.samples + 1 }), (labels) => {
        let result: ReturnType<typeof harmonizeLongitudinal> | undefined;
        try {
          result = harmonizeLongitudinal(matrix, covariates, { subject: labels as string[] });
        } catch (error) {
          expect(error).toBeInstanceOf(CombatError);
          return;
        }
        expect(result.data.every(Number.isFinite)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});

describe('harmonizeLongitudinal accepts', () => {
  it('a subject of one scan, and subjects scanned at several sites (the batch is per scan)', () => {
    const movers = longitudinalStudy({ seed: 11, subjects: 30, maxVisits: 4, sites: 3, features: 3, subjectSd: 1, movers: true });
    const sites = new Map<string, Set<string>>();
    movers.subject.forEach((s, i) => sites.set(s, (sites.get(s) ?? new Set()).add(movers.covariates.batch[i] as string)));
    expect([...sites.values()].some((seen) => seen.size > 1)).toBe(true);
    expect(movers.subject.filter((s, _, all) => all.indexOf(s) === all.lastIndexOf(s)).length).toBeGreaterThan(0);
    const { data } = harmonizeLongitudinal(movers.matrix, movers.covariates, { subject: movers.subject });
    expect(data.every(Number.isFinite)).toBe(true);
  });
});
