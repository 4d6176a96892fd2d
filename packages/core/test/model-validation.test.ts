import { syntheticData } from '@combat/test-support';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CombatError,
  ModelFormatError,
  applyCombat,
  deserializeModel,
  harmonize,
  serializeModel,
  type CombatModel,
  type CombatOptions,
  type SerializedModel,
} from '../src/index.js';
import { checkModel } from '../src/serialize.js';

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
  const array = serialized.arrays[name].slice();
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

function bits(array: ArrayBufferView): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

function expectIdentical(actual: CombatModel, expected: CombatModel): void {
  for (const [key, value] of Object.entries(expected)) {
    const other = actual[key as keyof CombatModel];
    if (ArrayBuffer.isView(value)) expect(bits(other as ArrayBufferView), key).toEqual(bits(value));
    else expect(other, key).toEqual(value);
  }
}

describe('deserializeModel refuses what no fit produces, naming the field', () => {
  it('no object, no meta, no arrays, ill-typed parts', () => {
    refused(null, 'serialized model is null; expected an object { formatVersion, meta, arrays }');
    refused('model', 'serialized model is a string ("model")');
    refused({ formatVersion: 1, arrays: serialized.arrays }, 'meta is undefined; expected an object { features, coding, batchSizes, options }');
    refused({ formatVersion: 1, meta: serialized.meta }, 'arrays is undefined; expected an object of typed arrays');
    refused(withMeta((m) => (m.features = '5')), 'features is a string ("5"); expected a positive integer');
    refused(withMeta((m) => (m.options.eb = 'yes')), 'options.eb is a string ("yes"); expected true or false');
    refused(withMeta((m) => delete m.options), 'options is undefined');
    refused({ ...serialized, arrays: { ...serialized.arrays, beta: Array.from(serialized.arrays.beta) } }, /^beta is an array of 25; expected a Float64Array of length 25$/);
    refused({ ...serialized, arrays: { ...serialized.arrays, adjusted: new Float64Array(V) } }, 'adjusted is a Float64Array of length 5; expected a Uint8Array of length 5');
  });

  it('a coding that is not what codeDesign makes', () => {
    refused(withMeta((m) => m.coding.batches.reverse()), 'coding.batches[1] is "siteB" after "siteC"; expected labels in code-point order without repeats');
    refused(withMeta((m) => (m.coding.batches[1] = 'siteA')), 'coding.batches[1] is "siteA" after "siteA"');
    refused(withMeta((m) => (m.coding.batches[0] = '')), 'coding.batches[0] is a string (""); expected a non-empty string');
    refused(withMeta((m) => (m.coding.refBatch = 'siteZ')), 'coding.refBatch is a string ("siteZ"); expected null or one of the batches (siteA, siteB, siteC)');
    refused(withMeta((m) => (m.coding.categorical[0].levels = ['M', 'F'])), 'coding.categorical[0].levels[1] is "F" after "M"');
    refused(withMeta((m) => (m.coding.categorical[0].dropped = 'M')), 'coding.categorical[0].dropped is a string ("M"); expected the first level, "F"');
    // A dropped covariate: the columns still name it.
    refused(withMeta((m) => (m.coding.continuous = [])), 'coding.columns[4] is a string ("age"); expected no more columns (the coding implies batch:siteA, batch:siteB, batch:siteC, sex:M)');
    refused(withMeta((m) => (m.coding.continuous = ['sex'])), 'coding: "sex" is both a categorical and a continuous covariate');
    refused(withMeta((m) => (m.coding.continuous = ['sex:M'])), 'coding: design column "sex:M" would come from level "M" of categorical covariate "sex" and from continuous covariate "sex:M"');
  });

  it('batch sizes that disagree with the coding or the options', () => {
    refused(withMeta((m) => m.batchSizes.pop()), 'batchSizes is an array of 2; expected an array of 3 sample counts, one per batch (siteA, siteB, siteC)');
    refused(withMeta((m) => (m.batchSizes[1] = 0)), 'batchSizes[1] (batch siteB) is a number (0); expected a positive integer');
    refused(withMeta((m) => (m.batchSizes[2] = 6.5)), 'batchSizes[2] (batch siteC) is a number (6.5)');
    refused(withMeta((m) => (m.batchSizes[2] = 1)), 'options.meanOnly is false but batch siteC has a single sample');
  });

  it('values of an adjusted feature no fit produces, with the feature as a field', () => {
    const siteB = 1 * V;
    const e = refused(withCell('deltaStar', siteB + 2, -0.3), /^feature 2: deltaStar\[siteB\] is -0.3; expected a positive number$/);
    expect(e.feature).toBe(2);
    expect(e.detail).toBe('deltaStar[siteB] is -0.3; expected a positive number');
    refused(withCell('varPooled', 3, NaN), 'feature 3: varPooled is NaN; expected a positive number');
    refused(withCell('varPooled', 3, -1), 'feature 3: varPooled is -1');
    refused(withCell('grandMean', 0, Infinity), 'feature 0: grandMean is Infinity; expected a finite number');
    refused(withCell('beta', 3 * V + 1, NaN), 'feature 1: beta[sex:M] is NaN; expected a finite number');
    refused(withCell('gammaStar', 4, 0.1), 'feature 4: gammaStar[siteA] is 0.1; expected 0 for the reference batch');
    refused(withCell('deltaStar', 4, 1.1), 'feature 4: deltaStar[siteA] is 1.1; expected 1 for the reference batch');
    refused(withCell('gammaHat', 2 * V, NaN), 'feature 0: gammaHat[siteC] is NaN');
    refused(withCell('deltaHat', 2 * V, 0), 'feature 0: deltaHat[siteC] is 0; expected a positive number');
    refused(withCell('adjusted', 1, 2), 'feature 1: adjusted is 2; expected 0 or 1');
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

  it('accepts NaN and infinite priors and any value of an unadjusted feature', () => {
    const edited = withCell('aPrior', 1, NaN);
    const model = deserializeModel({ ...edited, arrays: { ...edited.arrays, t2: Float64Array.of(Infinity, NaN, 1) } });
    expect(model.t2[0]).toBe(Infinity);
  });

  it('applyCombat and serializeModel check a model object the same way, instead of giving NaN', () => {
    const tampered = { ...fitted, deltaStar: fitted.deltaStar.slice() };
    tampered.deltaStar[V + 2] = -0.3;
    expect(() => applyCombat(tampered, matrix, covariates)).toThrow(new ModelFormatError('deltaStar[siteB] is -0.3; expected a positive number', { feature: 2 }));
    expect(() => serializeModel(tampered)).toThrow('feature 2: deltaStar[siteB] is -0.3');
    expect(() => checkModel({ ...fitted, batches: ['siteA'] })).toThrow('batches is an array of 1; expected the coding\'s batches (siteA, siteB, siteC)');
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
          expect(applyCombat(restored, m, c)).toEqual(applyCombat(model, m, c));
        },
      ),
      { numRuns: 100 },
    );
  });
});
