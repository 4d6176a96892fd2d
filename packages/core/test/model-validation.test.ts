import { readFileSync } from 'node:fs';
import { expectClose, selectSamples, syntheticData } from '@combat/test-support';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CombatError,
  ModelFormatError,
  applyCombat,
  deserializeModel,
  estimateBatches,
  harmonize,
  serializeModel,
  type CombatModel,
  type CombatOptions,
  type SerializedModel,
} from '../src/index.js';
import { checkModel } from '../src/serialize.js';
import { bits, expectIdentical } from './model-arrays.js';

const { matrix, covariates } = syntheticData({ seed: 17, batchSizes: [7, 8, 6], features: 5 });
const fitted = harmonize(matrix, covariates, { refBatch: 'siteA' }).model;
const serialized = serializeModel(fitted);
const V = 5;

/** The serialized model with its JSON metadata edited (a deep copy through JSON first). */
function withMeta(edit: (meta: Record<string, any>) => void): SerializedModel {
  const meta = JSON.parse(JSON.stringify(serialized.meta));
  edit(meta);
  return { ...serialized, meta };
}

/** The serialized model with one cell of one array set. */
function withCell(name: keyof SerializedModel['arrays'], at: number, value: number): SerializedModel {
  const array = serialized.arrays[name]!.slice();
  array[at] = value;
  return { ...serialized, arrays: { ...serialized.arrays, [name]: array } };
}

function refused(input: unknown, message: string | RegExp): ModelFormatError {
  try {
    deserializeModel(input as SerializedModel);
  } catch (error) {
    expect(error).toBeInstanceOf(ModelFormatError);
    expect((error as Error).message).toMatch(message);
    return error as ModelFormatError;
  }
  return expect.fail(`expected ModelFormatError ${message}`);
}

describe('deserializeModel refuses what no fit produces, naming the field', () => {
  it('no object, no meta, no arrays, ill-typed parts', () => {
    refused(null, 'serialized model is null; expected an object { formatVersion, meta, arrays }');
    refused('model', 'serialized model is a string ("model")');
    refused({ formatVersion: 2, arrays: serialized.arrays }, 'meta is undefined; expected an object { features, coding, refBatch, options, batches }');
    refused({ formatVersion: 2, meta: serialized.meta }, 'arrays is undefined; expected an object of typed arrays');
    refused(withMeta((m) => (m.features = '5')), 'features is a string ("5"); expected a positive integer');
    refused(withMeta((m) => (m.options.eb = 'yes')), 'options.eb is a string ("yes"); expected true or false');
    refused(withMeta((m) => delete m.options), 'options is undefined');
    refused({ ...serialized, arrays: { ...serialized.arrays, beta: Array.from(serialized.arrays.beta) } }, /^arrays.beta is an array of 10; expected a Float64Array of length 10$/);
    refused({ ...serialized, arrays: { ...serialized.arrays, adjusted: new Float64Array(V) } }, 'arrays.adjusted is a Float64Array of length 5; expected a Uint8Array of length 5');
  });

  it('a coding that is not what codeDesign makes', () => {
    refused(withMeta((m) => (m.coding.terms[0].levels = ['M', 'F'])), 'coding.terms[0].levels[1] is "F" after "M"');
    refused(withMeta((m) => (m.coding.terms[0].kind = 'ordinal')), 'coding.terms[0].kind is a string ("ordinal"); expected "categorical", "continuous" or "spline"');
    refused(withMeta((m) => (m.coding.terms[1].range = [80, 20])), 'coding.terms[1].range is an array of 2; expected null or two finite numbers [smallest, largest] in order');
    // A dropped covariate: the columns still name it.
    refused(withMeta((m) => m.coding.terms.pop()), 'coding.columns[1] is a string ("age"); expected no more columns (the terms imply sex:M)');
    refused(withMeta((m) => (m.coding.terms[1].name = 'sex')), 'coding: "sex" is both a categorical and a continuous covariate');
    refused(withMeta((m) => (m.coding.terms[1].name = 'sex:M')), 'coding: design column "sex:M" would come from level "M" of categorical covariate "sex" and from continuous covariate "sex:M"');
  });

  it('batches that disagree with each other, the options or the reference', () => {
    refused(withMeta((m) => (m.batches[0] = 'siteA')), 'batches[0] is a string ("siteA"); expected { batch, samples, training }');
    refused(withMeta((m) => m.batches.reverse()), 'batches[].batch[1] is "siteB" after "siteC"; expected labels in code-point order without repeats');
    refused(withMeta((m) => (m.batches[1].samples = 0)), 'batches[1].samples (batch siteB) is a number (0); expected a positive integer');
    refused(withMeta((m) => (m.batches[2].samples = 6.5)), 'batches[2].samples (batch siteC) is a number (6.5)');
    refused(withMeta((m) => (m.batches[2].samples = 1)), 'options.meanOnly is false but training batch siteC has a single sample');
    refused(withMeta((m) => (m.batches[0].training = false)), 'refBatch is a string ("siteA"); expected null or one of the training batches (siteB, siteC)');
    refused(withMeta((m) => (m.refBatch = 'siteZ')), 'refBatch is a string ("siteZ"); expected null or one of the training batches (siteA, siteB, siteC)');
    refused(withMeta((m) => m.batches.forEach((b: { training: boolean }) => (b.training = false))), 'batches has 0 training batch(es); expected at least 2 (a fit needs them)');
    refused(withMeta((m) => m.batches.pop()), 'arrays.gammaHat is a Float64Array of length 15; expected a Float64Array of length 10');
  });

  it('values of a feature a batch adjusts that no fit produces, with the feature as a field', () => {
    const siteB = 1 * V;
    const e = refused(withCell('deltaStar', siteB + 2, -0.3), /^feature 2: deltaStar\[siteB\] is -0.3; expected a positive number$/);
    expect(e.feature).toBe(2);
    expect(e.detail).toBe('deltaStar[siteB] is -0.3; expected a positive number');
    refused(withCell('varPooled', 3, NaN), 'feature 3: varPooled is NaN; expected a positive number');
    refused(withCell('varPooled', 3, -1), 'feature 3: varPooled is -1');
    refused(withCell('grandMean', 0, Infinity), 'feature 0: grandMean is Infinity; expected a finite number');
    refused(withCell('beta', 0 * V + 1, NaN), 'feature 1: beta[sex:M] is NaN; expected a finite number');
    refused(withCell('gammaStar', 4, 0.1), 'feature 4: gammaStar[siteA] is 0.1; expected 0 for the reference batch');
    refused(withCell('deltaStar', 4, 1.1), 'feature 4: deltaStar[siteA] is 1.1; expected 1 for the reference batch');
    refused(withCell('gammaHat', 2 * V, NaN), 'feature 0: gammaHat[siteC] is NaN');
    refused(withCell('deltaHat', 2 * V, 0), 'feature 0: deltaHat[siteC] is 0; expected a positive number');
    refused(withCell('adjusted', 1, 2), 'feature 1: adjusted is 2; expected 0 or 1');
    refused(withCell('batchAdjusted', V + 1, 0), 'feature 1: batches.get("siteB").adjusted is 0; expected 1, the fit\'s, for a training batch');
  });

  it('mode-specific values: deltas 1 in mean-only mode, star equal to hat without empirical Bayes', () => {
    const meanOnly = serializeModel(harmonize(matrix, covariates, { meanOnly: true }).model);
    const deltaStar = meanOnly.arrays.deltaStar.slice();
    deltaStar[V + 1] = 1.2;
    refused({ ...meanOnly, arrays: { ...meanOnly.arrays, deltaStar } }, 'feature 1: deltaStar[siteB] is 1.2; expected 1 in mean-only mode');
    const noEb = serializeModel(harmonize(matrix, covariates, { eb: false }).model);
    const gammaStar = noEb.arrays.gammaStar.slice();
    gammaStar[2] += 1e-3;
    refused({ ...noEb, arrays: { ...noEb.arrays, gammaStar } }, /^feature 2: gammaStar\[siteA\] is .*; expected gammaHat\[siteA\] \(.*\) without empirical Bayes$/);
  });

  it('accepts NaN and infinite priors, and a new batch that passes a feature through', () => {
    const edited = withCell('aPrior', 1, NaN);
    const model = deserializeModel({ ...edited, arrays: { ...edited.arrays, t2: Float64Array.of(Infinity, NaN, 1) } });
    expect(model.batches.get('siteA')!.t2).toBe(Infinity);
    const site = (label: string) => covariates.batch.flatMap((b, i) => (b === label ? [i] : []));
    const fresh = selectSamples(matrix, { ...covariates, batch: covariates.batch.map((b) => (b === 'siteC' ? 'siteD' : b)) }, site('siteC'));
    fresh.matrix.data.forEach((_, at) => at % V === 3 && (fresh.matrix.data[at] = 7));
    const { model: extended, warnings } = estimateBatches(fitted, fresh.matrix, fresh.covariates);
    expect(warnings).toEqual([
      { code: 'unadjusted-features', features: [3], reasons: [{ cause: 'constant-in-batch', batch: 'siteD' }], batch: 'siteD', message: '1 feature(s) left unadjusted for new batch siteD: constant within batch siteD: 3' },
    ]);
    const siteD = extended.batches.get('siteD')!;
    expect([siteD.adjusted[3], siteD.gammaStar[3]]).toEqual([0, NaN]);
    expectIdentical(deserializeModel(serializeModel(extended)), extended);
    const out = applyCombat(extended, fresh.matrix, fresh.covariates).data;
    fresh.matrix.data.forEach((y, at) => at % V === 3 && expect(out[at]).toBe(y));
  });

  it('applyCombat and serializeModel check a model object the same way, instead of giving NaN', () => {
    const siteB = fitted.batches.get('siteB')!;
    const tampered = { ...fitted, batches: new Map([...fitted.batches, ['siteB', { ...siteB, deltaStar: siteB.deltaStar.slice() }]]) };
    tampered.batches.get('siteB')!.deltaStar[2] = -0.3;
    expect(() => applyCombat(tampered, matrix, covariates)).toThrow(new ModelFormatError('deltaStar[siteB] is -0.3; expected a positive number', { feature: 2 }));
    expect(() => serializeModel(tampered)).toThrow('feature 2: deltaStar[siteB] is -0.3');
    expect(() => checkModel({ ...fitted, batches: ['siteA'] })).toThrow('batches is an array of 1; expected a Map from batch label to its effects');
  });
});

describe('a version-1 model (before batches could be added)', () => {
  const stored = JSON.parse(readFileSync(new URL('fixtures/model-v1.json', import.meta.url), 'utf8'));
  const decode = ({ type, base64 }: { type: string; base64: string }) => {
    const bytes = Buffer.from(base64, 'base64');
    const copy = new Uint8Array(bytes);
    return type === 'Uint8Array' ? copy : new Float64Array(copy.buffer);
  };
  const arrays = Object.fromEntries(Object.entries(stored.arrays).map(([k, v]) => [k, decode(v as never)]));
  const data = syntheticData({ seed: 21, batchSizes: [6, 7, 5], features: 4, missing: 0.05 });

  it('loads, and gives bit for bit what it gave before', () => {
    const model = deserializeModel({ formatVersion: 1, meta: stored.meta, arrays } as never);
    expect([...model.batches.values()].map((b) => [b.samples, b.training])).toEqual([[6, true], [7, true], [5, true]]);
    expect(model.coding.terms).toEqual([{ kind: 'categorical', name: 'sex', levels: ['F', 'M'] }, { kind: 'continuous', name: 'age', range: null }]);
    const before = decode({ type: 'Float64Array', base64: stored.harmonized });
    expect(bits(applyCombat(model, data.matrix, data.covariates).data)).toEqual(bits(before));
    expectClose(harmonize(data.matrix, data.covariates, { refBatch: 'siteB' }).data, before, 1e-12, 'refit');
  });

  it('is checked as strictly as the current version', () => {
    const meta = JSON.parse(JSON.stringify(stored.meta));
    meta.coding.columns[0] = 'batch:siteZ';
    expect(() => deserializeModel({ formatVersion: 1, meta, arrays } as never)).toThrow(/^coding.columns is an array of 5; expected the batch columns \(batch:siteA, batch:siteB, batch:siteC\) first$/);
    expect(() => deserializeModel({ formatVersion: 1, meta: stored.meta, arrays: { ...arrays, beta: new Float64Array(3) } } as never)).toThrow(/^arrays.beta is a Float64Array of length 3; expected a Float64Array of length 20$/);
  });
});

describe('every model a fit produces', () => {
  const modes: fc.Arbitrary<CombatOptions> = fc.record({ eb: fc.boolean(), parametric: fc.boolean(), meanOnly: fc.boolean(), refBatch: fc.constantFrom(null, 'siteA', 'siteC') });

  it('passes validation and round-trips bit for bit (modes, reference batch, missing cells, unadjusted features, a singleton batch)', () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 3, maxLength: 3 }),
        fc.integer({ min: 3, max: 8 }),
        fc.constantFrom(undefined, 0.1),
        fc.boolean(),
        modes,
        (seed, batchSizes, features, missing, constant, options) => {
          if (batchSizes.filter((n) => n === 1).length > 1) batchSizes[0] = 3;
          const { matrix: m, covariates: c } = syntheticData({ seed, batchSizes, features, missing });
          if (constant) c.batch.forEach((b, i) => b === 'siteB' && (m.data[i * features + features - 1] = 3));
          let model: CombatModel;
          try {
            model = harmonize(m, c, options).model;
          } catch (error) {
            expect(error).toBeInstanceOf(CombatError); // too few adjustable features for EB
            return;
          }
          expect(() => checkModel(model)).not.toThrow();
          const { formatVersion, meta, arrays } = serializeModel(model);
          const restored = deserializeModel({ formatVersion, meta: JSON.parse(JSON.stringify(meta)), arrays });
          expectIdentical(restored, model);
          expect(applyCombat(restored, m, c).data).toEqual(applyCombat(model, m, c).data);
        },
      ),
      { numRuns: 100 },
    );
  });
});
