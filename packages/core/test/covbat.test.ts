import { InvalidArgumentError } from '@combat/base';
import { covbatCaseNames, expectClose, loadCovbatCase, selectSamples, syntheticData, thrownBy } from '@combat/test-support';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  InvalidValueError,
  ModelFormatError,
  TooFewFeaturesError,
  TooFewSamplesError,
  UnknownBatchError,
  applyCombat,
  applyEncoded,
  deserializeModel,
  encodeCovariates,
  estimateBatches,
  harmonize,
  harmonizeCovbat,
  serializeModel,
  type CombatModel,
} from '../src/index.js';
import { adjustColumns, fitCovbat } from '../src/internal.js';
import { principalComponents } from '../src/principal-components.js';

describe.each(covbatCaseNames())('CovBat fixture %s', (name) => {
  const fixture = loadCovbatCase(name);
  const result = harmonizeCovbat(fixture.matrix, fixture.covariates, { ...fixture.options, refBatch: null, ...fixture.choice });

  it("matches CovBat's R output and its ComBat step (1e-9 relative), with as many components", () => {
    expect(result.components).toBe(fixture.spec.covbat.npcChosen);
    expectClose(result.combat, fixture.expectedCombat, 1e-9, `${name} ComBat step`);
    expectClose(result.data, fixture.expected, 1e-9, `${name} CovBat`);
    expectClose(result.cumulativeVariance, fixture.spec.covbat.varianceExplained, 1e-9, `${name} variance explained`);
    expect(result.variance).toBe(result.cumulativeVariance[result.components - 1]);
  });

  it('gives the training output back when its model, saved and restored, is applied to the training samples (1e-10)', () => {
    const restored = deserializeModel(serializeModel(result.model));
    expectClose(applyCombat(restored, fixture.matrix, fixture.covariates).data, result.data, 1e-10, `${name} applied`);
  });
});

describe('CovBat models', () => {
  const { matrix, covariates } = syntheticData({ seed: 5, batchSizes: [9, 12, 10], features: 6 });
  const fitted = harmonizeCovbat(matrix, covariates, { components: 3 });

  it('round-trip through serialization bit for bit, as format version 3; a ComBat model stays version 2', () => {
    const serialized = serializeModel(fitted.model);
    expect(serialized.formatVersion).toBe(3);
    expect(serialized.meta.covbat).toEqual({ components: 3, variance: fitted.variance });
    const restored = deserializeModel(serialized);
    expect(restored.covbat).toEqual(fitted.model.covbat);
    expect(serializeModel(harmonize(matrix, covariates).model).formatVersion).toBe(2);
  });

  it('adjust new samples of training batches as the training output of the same samples, one at a time or in blocks', () => {
    const order = [30, 2, 17, 9];
    const chosen = selectSamples(matrix, covariates, order);
    const expected = Float64Array.from(order.flatMap((i) => Array.from(fitted.data.subarray(i * 6, (i + 1) * 6))));
    expectClose(applyCombat(fitted.model, chosen.matrix, chosen.covariates).data, expected, 1e-10, 'applyCombat');
    const rows = encodeCovariates(fitted.model.coding, chosen.covariates);
    expectClose(applyEncoded(fitted.model, chosen.matrix, rows), expected, 1e-10, 'applyEncoded');
  });

  it('keep each batch of the score step, and the components and their share in the result', () => {
    const covbat = fitted.model.covbat!;
    expect([...covbat.batches.keys()]).toEqual(['siteA', 'siteB', 'siteC']);
    expect(fitted.components).toBe(3);
    expect(fitted.cumulativeVariance.length).toBe(6);
    // Orthonormal loadings.
    for (let a = 0; a < 3; a++) {
      for (let b = 0; b < 3; b++) {
        let dot = 0;
        for (let v = 0; v < 6; v++) dot += covbat.loadings[a * 6 + v]! * covbat.loadings[b * 6 + v]!;
        expect(Math.abs(dot - (a === b ? 1 : 0))).toBeLessThan(1e-12);
      }
    }
  });
});

describe("CovBat's score step", () => {
  it('warns when a batch of one sample makes it mean-only (every score scale 1)', () => {
    const { matrix, covariates } = syntheticData({ seed: 8, batchSizes: [9, 12, 1], features: 5 });
    const { warnings, model } = harmonizeCovbat(matrix, covariates, { components: 2 });
    expect(warnings.map((warning) => warning.code)).toEqual(['singleton-batch', 'covbat-mean-only']);
    expect(warnings[1]).toEqual({
      code: 'covbat-mean-only',
      batches: ['siteC'],
      message: "batch siteC has a single sample: CovBat's score step switched to mean-only (the components' scores are moved, not rescaled)",
    });
    for (const batch of model.covbat!.batches.values()) expect([...batch.scale]).toEqual([1, 1]);
  });

  it('names the components whose scores are constant within a batch, which pass unadjusted', () => {
    const { matrix, covariates } = syntheticData({ seed: 9, batchSizes: [8, 8, 8], features: 4 });
    const batchOnly = { batch: covariates.batch };
    const { data, model } = harmonize(matrix, batchOnly);
    // Every sample of siteC the same: its scores are constant on every component.
    const combat = data.slice();
    for (let i = 17; i < 24; i++) combat.copyWithin(i * 4, 16 * 4, 17 * 4);
    const fit = fitCovbat(model, combat, encodeCovariates(model.coding, batchOnly), { components: 2 });
    expect(Object.keys(fit).sort()).toEqual(['components', 'cumulativeVariance', 'model', 'variance', 'warnings']);
    expect(fit.warnings).toEqual([
      {
        code: 'covbat-unadjusted-components',
        components: [0, 1],
        reasons: [
          { cause: 'constant-in-batch', batch: 'siteC' },
          { cause: 'constant-in-batch', batch: 'siteC' },
        ],
        message: '2 CovBat component(s) left unadjusted by the score step: constant within batch siteC: PC1, PC2',
      },
    ]);
    const covbat = fit.model.covbat!;
    expect([...covbat.mean]).toEqual([0, 0]);
    for (const batch of covbat.batches.values()) expect([[...batch.location], [...batch.scale]]).toEqual([[0, 0], [1, 1]]);
  });
});

describe('with every batch holding the same residuals, CovBat only applies the L/S step convention', () => {
  // When every batch holds the same residuals, each component's scores have the same mean and
  // variance in every batch, and the score step (batch variances with n - 1, the pooled one with
  // 1/n over n samples in B batches) scales every score by sqrt((n - B) / n) and moves nothing.
  // With every component harmonized, the output is then, for each feature,
  // stand + center + sqrt((n - B) / n) * (combat - stand - center): no decomposition is involved.
  it('gives that closed form (1e-10 relative) for any data, batch count and size', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 2, max: 3 }), fc.integer({ min: 6, max: 12 }), fc.integer({ min: 2, max: 4 }), (seed, B, m, V) => {
        const one = syntheticData({ seed, batchSizes: [m], features: V });
        const n = B * m;
        const data = new Float64Array(n * V);
        for (let b = 0; b < B; b++) data.set(one.matrix.data.map((x) => x * (1 + b) + 3 * b), b * m * V);
        const batch = Array.from({ length: n }, (_, i) => `site${Math.floor(i / m)}`);
        // Without empirical Bayes, ComBat maps each batch (a linear image of the first) onto the same values.
        const result = harmonizeCovbat({ data, samples: n, features: V }, { batch }, { eb: false, components: V });
        const stand = result.model.grandMean;
        const residual = (i: number, v: number) => result.combat[i * V + v]! - stand[v]!;
        const center = Float64Array.from({ length: V }, (_, v) => Array.from({ length: n }, (_, i) => residual(i, v)).reduce((a, x) => a + x, 0) / n);
        const c = Math.sqrt((n - B) / n);
        const expected = Float64Array.from({ length: n * V }, (_, at) => {
          const v = at % V;
          return stand[v]! + center[v]! + c * (residual(Math.floor(at / V), v) - center[v]!);
        });
        expectClose(result.data, expected, 1e-10, 'closed form');
      }),
      { numRuns: 50 },
    );
  });
});

describe('principal components', () => {
  it('solve the eigen equations of the residuals, from the covariance or from the Gram matrix', () => {
    for (const [n, V] of [
      [20, 5],
      [6, 15],
    ] as const) {
      const { matrix } = syntheticData({ seed: n * V, batchSizes: [n], features: V });
      const z = Float64Array.from(matrix.data);
      for (let v = 0; v < V; v++) {
        let mean = 0;
        for (let i = 0; i < n; i++) mean += z[i * V + v]! / n;
        for (let i = 0; i < n; i++) z[i * V + v]! -= mean;
      }
      const keep = Math.min(n - 1, V);
      const { variances, loadings } = principalComponents(z, n, V, () => keep);
      expect(variances.length).toBe(Math.min(n, V));
      let trace = 0;
      for (const x of z) trace += (x * x) / (n - 1);
      expect(Math.abs(variances.reduce((a, x) => a + x, 0) - trace)).toBeLessThan(1e-10 * trace);
      for (let k = 0; k < keep; k++) {
        expect(variances[k]!).toBeGreaterThanOrEqual(variances[k + 1] ?? 0);
        // z'z l / (n - 1) = variance l
        for (let v = 0; v < V; v++) {
          let sum = 0;
          for (let i = 0; i < n; i++) {
            let score = 0;
            for (let w = 0; w < V; w++) score += z[i * V + w]! * loadings[k * V + w]!;
            sum += z[i * V + v]! * score;
          }
          expect(Math.abs(sum / (n - 1) - variances[k]! * loadings[k * V + v]!)).toBeLessThan(1e-9 * variances[0]!);
        }
      }
    }
  });
});

describe('CovBat refuses what it cannot do, saying what was expected and found', () => {
  const { matrix, covariates } = syntheticData({ seed: 11, batchSizes: [5, 4], features: 12 });

  it('missing cells, when fitting and when applying', () => {
    const data = matrix.data.slice();
    data[3 * 12 + 7] = NaN;
    const error = thrownBy(() => harmonizeCovbat({ ...matrix, data }, covariates), InvalidValueError);
    expect(error.message).toBe('sample 3, feature 7: data value is missing (NaN); CovBat needs complete data: impute it, or leave out the sample or the feature');
    const { model } = harmonizeCovbat(matrix, covariates);
    expect(thrownBy(() => applyCombat(model, { ...matrix, data }, covariates), InvalidValueError).feature).toBe(7);
  });

  it('more components than the samples or the features give', () => {
    expect(thrownBy(() => harmonizeCovbat(matrix, covariates, { components: 9 }), TooFewSamplesError).message).toBe('9 components requested; 9 samples give at most 8');
    const narrow = syntheticData({ seed: 3, batchSizes: [6, 6], features: 3 });
    expect(thrownBy(() => harmonizeCovbat(narrow.matrix, narrow.covariates, { components: 4 }), TooFewFeaturesError).message).toBe('4 components requested; 3 features give at most 3');
  });

  it('a share outside (0, 1], components that are not a positive integer, both, a reference batch', () => {
    const refused = (options: object, message: string) => expect(thrownBy(() => harmonizeCovbat(matrix, covariates, options), InvalidArgumentError).message).toBe(message);
    refused({ variance: 0 }, 'harmonizeCovbat: options.variance: expected a share of variance in (0, 1]; received a number (0)');
    refused({ variance: 1.5 }, 'harmonizeCovbat: options.variance: expected a share of variance in (0, 1]; received a number (1.5)');
    refused({ variance: '0.9' }, 'harmonizeCovbat: options.variance: expected a share of variance in (0, 1]; received a string ("0.9")');
    expect(thrownBy(() => harmonizeCovbat(matrix, covariates, { components: 2.5 }), InvalidArgumentError).message).toMatch(/^harmonizeCovbat: options.components: expected a positive integer; received a number/);
    expect(thrownBy(() => harmonizeCovbat(matrix, covariates, { components: 0 }), InvalidArgumentError).message).toMatch(/^harmonizeCovbat: options.components: expected a positive integer; received a number/);
    refused({ variance: 0.9, components: 2 }, 'harmonizeCovbat: options.components: expected undefined when options.variance is given (give one of them); received a number (2)');
    refused({ eb: 'no' }, 'harmonizeCovbat: options.eb: expected true or false; received a string ("no")');
    refused({ refBatch: 'siteA' }, 'harmonizeCovbat: options.refBatch: expected null (CovBat has no reference batch); received a string ("siteA")');
    // A share of 1 takes every component the samples give.
    expect(harmonizeCovbat(matrix, covariates, { variance: 1 }).components).toBe(8);
  });

  it('a feature ComBat leaves unadjusted', () => {
    const data = matrix.data.slice();
    for (let i = 0; i < 5; i++) data[i * 12 + 4] = 1;
    const error = thrownBy(() => harmonizeCovbat({ ...matrix, data }, covariates), InvalidValueError);
    expect(error.message).toBe('feature 4: ComBat left this feature unadjusted (see the unadjusted-features warning); CovBat needs every feature fitted: remove it');
  });

  it('new batches, and ranges of features', () => {
    const { model } = harmonizeCovbat(matrix, covariates);
    const other = { batch: covariates.batch.map(() => 'siteZ'), categorical: covariates.categorical, continuous: covariates.continuous };
    const unknown = thrownBy(() => applyCombat(model, matrix, other), UnknownBatchError);
    expect(unknown.remedy).toBeUndefined();
    const refused = thrownBy(() => applyCombat(model, matrix, other, { newBatches: 'estimate' }), UnknownBatchError);
    expect([refused.message, refused.remedy]).toEqual([
      'sample 0: batch "siteZ" was not seen in training (known: siteA, siteB), and new batches of a CovBat model cannot be estimated yet',
      undefined,
    ]);
    // With no new batch there is nothing to estimate: as without the option.
    expect(applyCombat(model, matrix, covariates, { newBatches: 'estimate' })).toEqual(applyCombat(model, matrix, covariates));
    expect(thrownBy(() => estimateBatches(model, matrix, other), InvalidArgumentError).message).toMatch(/^estimateBatches: model: expected a model without CovBat \(new batches of a CovBat model cannot be estimated yet\)/);
    const rows = encodeCovariates(model.coding, covariates);
    expect(thrownBy(() => adjustColumns(model, matrix, rows, new Float64Array(matrix.data.length), 0), InvalidArgumentError).message).toMatch(/^adjustColumns: model: expected a model without CovBat/);
  });

  it('a serialized CovBat part that no fit produces', () => {
    const { model } = harmonizeCovbat(matrix, covariates, { components: 2 });
    const serialized = serializeModel(model);
    const refused = (edited: unknown, message: string) => expect(thrownBy(() => deserializeModel(edited as typeof serialized), ModelFormatError).message).toBe(message);
    refused({ ...serialized, formatVersion: 2 }, 'meta.covbat is present in format version 2; expected format version 3 for a CovBat model');
    const { covbat: _covbat, ...plain } = serialized.meta;
    refused({ ...serialized, meta: plain }, 'meta.covbat is missing; expected it in format version 3 (a CovBat model)');
    refused({ ...serialized, meta: { ...serialized.meta, covbat: { components: 13, variance: 0.5 } } }, 'covbat.components is a number (13); expected an integer from 1 to the number of features (12)');
    refused({ ...serialized, meta: { ...serialized.meta, covbat: { components: 2, variance: 0 } } }, 'covbat.variance is a number (0); expected a share of variance in (0, 1]');
    const scale = serialized.arrays.covbatScale!.slice();
    scale[5] = -1;
    refused({ ...serialized, arrays: { ...serialized.arrays, covbatScale: scale } }, 'covbat.sd[5] is -1; expected a positive number');
    refused({ ...serialized, arrays: { ...serialized.arrays, covbatLoadings: new Float64Array(3) } }, 'arrays.covbatLoadings is a Float64Array of length 3; expected a Float64Array of length 24');
    const covbat = model.covbat!;
    const tampered: CombatModel = { ...model, covbat: { ...covbat, batches: new Map([['siteA', covbat.batches.get('siteA')!]]) } };
    expect(thrownBy(() => serializeModel(tampered), ModelFormatError).message).toBe("covbat.batches has an array of 1; expected the model's batches in order (siteA, siteB)");
  });
});
