import { expectClose, selectSamples, syntheticData } from '@combat/test-support';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CombatAccumulator, applyCombat, codeDesign, finalizeModel, harmonize, type CombatModel, type CombatOptions, type CombatWarning } from '../src/index.js';
import { checkModel } from '../src/serialize.js';

const datasets = fc.record({
  seed: fc.integer(),
  batchSizes: fc.array(fc.integer({ min: 3, max: 12 }), { minLength: 2, maxLength: 4 }),
  features: fc.integer({ min: 2, max: 12 }),
  missing: fc.constantFrom(undefined, 0.05),
});

const modes: fc.Arbitrary<CombatOptions> = fc.record({
  eb: fc.boolean(),
  parametric: fc.boolean(),
  meanOnly: fc.boolean(),
  refBatch: fc.constantFrom(null, 'siteA', 'siteB'),
});

const MODEL_ARRAYS = ['beta', 'varPooled', 'grandMean', 'gammaHat', 'deltaHat', 'gammaStar', 'deltaStar', 'gammaBar', 't2', 'aPrior', 'bPrior'] as const;

function expectSameModel(actual: CombatModel, expected: CombatModel): void {
  expect(actual.coding).toEqual(expected.coding);
  expect(actual.batchSizes).toEqual(expected.batchSizes);
  expect(Array.from(actual.adjusted)).toEqual(Array.from(expected.adjusted));
  for (const key of MODEL_ARRAYS) expectClose(actual[key], expected[key], 1e-9, key);
}

describe('properties', () => {
  it('does not depend on the order of the samples', () => {
    fc.assert(
      fc.property(datasets, modes, fc.integer(), (spec, options, shuffleSeed) => {
        const { matrix, covariates } = syntheticData(spec);
        const order = fc.sample(fc.shuffledSubarray([...Array(matrix.samples).keys()], { minLength: matrix.samples }), { seed: shuffleSeed, numRuns: 1 })[0] as number[];
        const shuffled = selectSamples(matrix, covariates, order);
        const original = harmonize(matrix, covariates, options);
        const permuted = harmonize(shuffled.matrix, shuffled.covariates, options);
        expectSameModel(permuted.model, original.model);
        expectClose(permuted.data, selectSamples({ ...matrix, data: original.data }, covariates, order).matrix.data, 1e-9, 'data');
      }),
      { numRuns: 60 },
    );
  });

  it('fits the same model from any split of the samples, accumulated in rows or blocks and merged', () => {
    fc.assert(
      fc.property(datasets, modes, fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 60, maxLength: 60 }), (spec, options, parts) => {
        const { matrix, covariates } = syntheticData(spec);
        const coding = codeDesign(covariates, { refBatch: options.refBatch ?? null });
        const pooled = new CombatAccumulator(coding, matrix.features).add(matrix, covariates);
        const shards = [0, 1, 2, 3].map((part) => {
          const rows = [...Array(matrix.samples).keys()].filter((i) => parts[i % parts.length] === part);
          const accumulator = new CombatAccumulator(coding, matrix.features);
          if (part === 0) {
            for (const row of rows) accumulator.add(...Object.values(selectSamples(matrix, covariates, [row])) as [never, never]);
          } else if (rows.length > 0) {
            const block = selectSamples(matrix, covariates, rows);
            accumulator.add(block.matrix, block.covariates);
          }
          return accumulator;
        });
        const merged = shards[3]!.merge(shards[1]!).merge(shards[0]!.merge(shards[2]!));
        const { model: expected } = finalizeModel(pooled, options);
        const { model: actual } = finalizeModel(merged, options);
        expectSameModel(actual, expected);
      }),
      { numRuns: 60 },
    );
  });

  it('reproduces the training output when the model is applied to any subset of the training samples', () => {
    fc.assert(
      fc.property(datasets, modes, fc.integer(), (spec, options, subsetSeed) => {
        const { matrix, covariates } = syntheticData(spec);
        const trained = harmonize(matrix, covariates, options);
        const subset = fc.sample(fc.shuffledSubarray([...Array(matrix.samples).keys()], { minLength: 1 }), { seed: subsetSeed, numRuns: 1 })[0] as number[];
        const rows = selectSamples(matrix, covariates, subset);
        const applied = applyCombat(trained.model, rows.matrix, rows.covariates);
        const expected = selectSamples({ ...matrix, data: trained.data }, covariates, subset).matrix.data;
        expectClose(applied, expected, 1e-12, 'applied');
      }),
      { numRuns: 60 },
    );
  });

  it('gives the same harmonized values for data offset by 1e6', () => {
    // Both runs get the same numbers: the offset data, and the offset data minus 1e6 (exact). At
    // 1e6 a float64 has a unit in the last place of 1.16e-10; a correct result is within a few
    // hundred of those, amplified by the batch's scale factor 1/sqrt(deltaStar). Summing raw
    // squares instead of shifted ones would be off by about 1e-4.
    const ulp = 2 ** -33;
    fc.assert(
      fc.property(datasets, modes, (spec, options) => {
        const { matrix, covariates } = syntheticData(spec);
        const offset = { ...matrix, data: matrix.data.map((y) => y + 1e6) };
        const plain = { ...matrix, data: offset.data.map((y) => y - 1e6) };
        const reference = harmonize(plain, covariates, options);
        const shifted = harmonize(offset, covariates, options).data.map((y) => y - 1e6);
        const { model } = reference;
        const batch = covariates.batch.map((label) => model.batches.indexOf(label));
        for (let i = 0; i < matrix.samples; i++) {
          for (let v = 0; v < matrix.features; v++) {
            const at = i * matrix.features + v;
            if (Number.isNaN(reference.data[at])) {
              expect(shifted[at]).toBeNaN();
              continue;
            }
            const scale = model.adjusted[v] ? 1 / Math.sqrt(model.deltaStar[batch[i]! * matrix.features + v]!) : 0;
            expect(Math.abs(shifted[at]! - reference.data[at]!)).toBeLessThan(300 * ulp * (1 + scale));
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  it('never produces NaN from finite input', () => {
    fc.assert(
      fc.property(datasets, modes, (spec, options) => {
        const { matrix, covariates } = syntheticData({ ...spec, missing: undefined });
        const { data, model } = harmonize(matrix, covariates, options);
        expect(data.every(Number.isFinite)).toBe(true);
        for (const key of ['gammaStar', 'deltaStar', 'varPooled', 'grandMean'] as const) expect(model[key].every(Number.isFinite)).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('never produces NaN or Infinity from finite input at magnitudes whose squares overflow, and says overflow', () => {
    // Features 0 and 1 stay as they are (so EB has two); the others are scaled by up to 1e300, and
    // some moved by -1e160 in siteA and +1e160 elsewhere (sums around a common origin overflow).
    const scaling = fc.array(fc.record({ scale: fc.constantFrom(1, 1e100, 1e150, 1e160, 1e200, 1e300), offset: fc.constantFrom(0, 1e160) }), { minLength: 12, maxLength: 12 });
    fc.assert(
      fc.property(datasets, modes, scaling, (spec, options, scalings) => {
        const { matrix, covariates } = syntheticData({ ...spec, missing: undefined });
        const V = matrix.features;
        const data = matrix.data.map((y, at) => {
          const v = at % V;
          const { scale, offset } = scalings[v]!;
          return v < 2 ? y : y * scale + (covariates.batch[Math.floor(at / V)] === 'siteA' ? -offset : offset);
        });
        const { data: output, model, warnings } = harmonize({ ...matrix, data }, covariates, options);
        expect(output.every(Number.isFinite)).toBe(true);
        expect(() => checkModel(model)).not.toThrow();
        const unadjusted = warnings.find((w) => w.code === 'unadjusted-features') as Extract<CombatWarning, { code: 'unadjusted-features' }> | undefined;
        for (let v = 0; v < V; v++) {
          const k = unadjusted?.features.indexOf(v) ?? -1;
          expect(model.adjusted[v]).toBe(k >= 0 ? 0 : 1);
          if (k >= 0) for (let i = 0; i < matrix.samples; i++) expect(output[i * V + v]).toBe(data[i * V + v]);
          if (v >= 2 && scalings[v]!.scale >= 1e160) expect(unadjusted?.reasons[k]).toEqual({ cause: 'overflow', batch: 'siteA' });
        }
        expect(applyCombat(model, { ...matrix, data }, covariates)).toEqual(output);
      }),
      { numRuns: 60 },
    );
  });
});
