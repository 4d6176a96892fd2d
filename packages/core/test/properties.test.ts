import { expectClose, selectSamples, syntheticData } from '@combat/test-support';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import {
  CombatAccumulator,
  applyCombat,
  codeDesign,
  encodeCovariates,
  finalizeModel,
  harmonize,
  mergeStatistics,
  type CombatModel,
  type CombatOptions,
  type CombatStatistics,
  type CombatWarning,
  type Covariates,
  type DataMatrix,
  type DesignCoding,
} from '../src/index.js';
import { checkModel } from '../src/serialize.js';
import { batchLabels, stackBatches } from './model-arrays.js';

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

function expectSameModel(actual: CombatModel, expected: CombatModel): void {
  expect(actual.coding).toEqual(expected.coding);
  expect(actual.refBatch).toBe(expected.refBatch);
  expect(Array.from(actual.adjusted)).toEqual(Array.from(expected.adjusted));
  for (const key of ['beta', 'grandMean', 'varPooled'] as const) expectClose(actual[key], expected[key], 1e-9, key);
  expect(batchLabels(actual)).toEqual(batchLabels(expected));
  for (const key of ['gammaHat', 'deltaHat', 'gammaStar', 'deltaStar', 'gammaBar', 't2', 'aPrior', 'bPrior', 'samples'] as const) {
    expectClose(stackBatches(actual, key), stackBatches(expected, key), 1e-9, key);
  }
}

/** Every typed array of statistics, each batch's in order, to compare two statistics value by value. */
function flatten(statistics: CombatStatistics): { labels: string[]; values: Float64Array } {
  const values = statistics.batches.flatMap((batch) => [
    batch.samples,
    ...batch.covariateSum,
    ...batch.covariateCross,
    ...batch.mean,
    ...batch.squares,
    ...batch.covariateValueSum,
    ...batch.missingFeatures,
    ...batch.missingSums,
  ]);
  return { labels: statistics.batches.map((batch) => batch.batch), values: Float64Array.from(values) };
}

function expectSameStatistics(actual: CombatStatistics, expected: CombatStatistics): void {
  expect(actual.coding).toEqual(expected.coding);
  const [a, e] = [flatten(actual), flatten(expected)];
  expect(a.labels).toEqual(e.labels);
  expectClose(a.values, e.values, 1e-9, 'statistics');
}

/** The samples `rows` of a data set, accumulated one at a time (part 0) or as one block. */
function accumulate(coding: DesignCoding, matrix: DataMatrix, covariates: Required<Covariates>, rows: number[], oneByOne: boolean): CombatStatistics {
  const accumulator = new CombatAccumulator(coding, matrix.features);
  if (oneByOne) {
    for (const row of rows) {
      const one = selectSamples(matrix, covariates, [row]);
      accumulator.add(one.matrix, one.covariates);
    }
  } else if (rows.length > 0) {
    const block = selectSamples(matrix, covariates, rows);
    accumulator.add(block.matrix, block.covariates);
  }
  return accumulator.statistics();
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

  it('fits the same model from any split of the samples, accumulated in rows or blocks and merged in any order', () => {
    fc.assert(
      fc.property(datasets, modes, fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 60, maxLength: 60 }), (spec, options, parts) => {
        const { matrix, covariates } = syntheticData(spec);
        const coding = codeDesign(covariates);
        const pooled = new CombatAccumulator(coding, matrix.features).add(matrix, covariates).statistics();
        const shards = [0, 1, 2, 3].map((part) => {
          const rows = [...Array(matrix.samples).keys()].filter((i) => parts[i % parts.length] === part);
          return accumulate(coding, matrix, covariates, rows, part === 0);
        });
        const [a, b, c, d] = shards as [CombatStatistics, CombatStatistics, CombatStatistics, CombatStatistics];
        const one = mergeStatistics(mergeStatistics(d, b), mergeStatistics(a, c));
        const other = mergeStatistics(a, mergeStatistics(b, mergeStatistics(c, d)));
        expectSameStatistics(one, pooled);
        expectSameStatistics(other, pooled);
        expectSameStatistics(mergeStatistics(b, a), mergeStatistics(a, b));
        expectSameModel(finalizeModel(one, options).model, finalizeModel(pooled, options).model);
      }),
      { numRuns: 60 },
    );
  });

  it('fits the pooled model from sites that each coded their own covariates', () => {
    fc.assert(
      fc.property(datasets, modes, (spec, options) => {
        // Six samples a site or more: with fewer, a reference batch's few residuals can nearly vanish, and its
        // variance (a difference of nearly equal sums) is then known to fewer digits than compared here.
        const { matrix, covariates } = syntheticData({ ...spec, batchSizes: spec.batchSizes.map((n) => Math.max(n, 6)) });
        // A diagnosis siteA never has its first level of (AD), and sites with their own age ranges.
        const dx = covariates.batch.map((b, i) => (b === 'siteA' ? ['CN', 'MCI'][i % 2]! : ['AD', 'CN', 'MCI'][i % 3]!));
        const all = { ...covariates, categorical: { ...covariates.categorical, dx } };
        const sites = [...new Set(all.batch)].map((site) => {
          const rows = all.batch.flatMap((b, i) => (b === site ? [i] : []));
          const own = selectSamples(matrix, all, rows);
          return new CombatAccumulator(codeDesign(own.covariates), matrix.features).add(own.matrix, own.covariates).statistics();
        });
        expect(sites[0]!.coding.terms[1]).toEqual({ kind: 'categorical', name: 'dx', levels: ['CN', 'MCI'] });
        const merged = sites.reduce((x, y) => mergeStatistics(x, y));
        const pooled = harmonize(matrix, all, options);
        expect(merged.coding).toEqual(pooled.model.coding);
        expectSameModel(finalizeModel(merged, options).model, pooled.model);
      }),
      { numRuns: 40 },
    );
  });

  it('keeps no input value in the statistics when every batch and level has two or more samples', () => {
    fc.assert(
      fc.property(datasets, (spec) => {
        // Sexes alternate within a batch: four samples or more give each sex two or more.
        const { matrix, covariates } = syntheticData({ ...spec, batchSizes: spec.batchSizes.map((n) => Math.max(n, 4)), missing: undefined });
        const statistics = new CombatAccumulator(codeDesign(covariates), matrix.features).add(matrix, covariates).statistics();
        const held = new Set(flatten(statistics).values);
        const inputs = [...matrix.data, ...Array.from(covariates.continuous.age!)];
        expect(inputs.filter((x) => held.has(x))).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });

  it('survives structuredClone and a worker thread, giving the same fit', async () => {
    const { matrix, covariates } = syntheticData({ seed: 8, batchSizes: [7, 9, 5], features: 6, missing: 0.05 });
    const statistics = new CombatAccumulator(codeDesign(covariates), 6).add(matrix, covariates).statistics();
    const worker = new Worker('const { parentPort } = require("node:worker_threads"); parentPort.on("message", (m) => parentPort.postMessage(m));', { eval: true });
    const echoed = await new Promise<CombatStatistics>((resolve) => {
      worker.once('message', resolve);
      worker.postMessage(statistics);
    });
    await worker.terminate();
    const expected = finalizeModel(statistics).model;
    for (const copy of [structuredClone(statistics), echoed]) {
      expectSameStatistics(copy, statistics);
      expectSameModel(finalizeModel(copy).model, expected);
    }
  });

  it('estimates a held-out batch from its own rows standardized by the frozen fit, and adjusts them with it', () => {
    fc.assert(
      fc.property(datasets, modes, (spec, options) => {
        const { matrix, covariates } = syntheticData({ ...spec, batchSizes: [...spec.batchSizes, 6] });
        const heldOut = `site${String.fromCharCode(65 + spec.batchSizes.length)}`;
        const held = covariates.batch.flatMap((b, i) => (b === heldOut ? [i] : []));
        const train = selectSamples(matrix, covariates, covariates.batch.flatMap((b, i) => (b === heldOut ? [] : [i])));
        const fresh = selectSamples(matrix, covariates, held);
        const { model } = harmonize(train.matrix, train.covariates, options);
        const { data, model: extended } = applyCombat(model, fresh.matrix, fresh.covariates, { newBatches: 'estimate' });
        expect(extended.beta).toBe(model.beta);
        // Section 9 directly: standardize each row with the frozen fit, then the mean and variance per feature.
        const V = matrix.features;
        const q = model.coding.columns.length;
        const c = encodeCovariates(model.coding, fresh.covariates).covariates;
        const effects = extended.batches.get(heldOut)!;
        for (let v = 0; v < V; v++) {
          if (effects.adjusted[v] !== 1) continue;
          const s = held.flatMap((_, j) => {
            const y = fresh.matrix.data[j * V + v]!;
            let stand = model.grandMean[v]!;
            for (let k = 0; k < q; k++) stand += c[j * q + k]! * model.beta[k * V + v]!;
            return Number.isNaN(y) ? [] : [(y - stand) / Math.sqrt(model.varPooled[v]!)];
          });
          const mean = s.reduce((a, x) => a + x, 0) / s.length;
          const variance = s.reduce((a, x) => a + (x - mean) ** 2, 0) / (s.length - 1);
          expect(Math.abs(effects.gammaHat[v]! - mean)).toBeLessThan(1e-9 * Math.max(1, Math.abs(mean)));
          expect(Math.abs(effects.deltaHat[v]! - (model.options.meanOnly ? 1 : variance))).toBeLessThan(1e-9 * Math.max(1, variance));
        }
        expect(data.every((y, at) => Number.isFinite(y) || Number.isNaN(fresh.matrix.data[at]!))).toBe(true);
        const again = applyCombat(extended, fresh.matrix, fresh.covariates);
        expect(again.data).toEqual(data);
        expect(again.model).toBe(extended);
      }),
      { numRuns: 40 },
    );
  });

  it('reproduces the training output when the model is applied to any subset of the training samples', () => {
    fc.assert(
      fc.property(datasets, modes, fc.integer(), (spec, options, subsetSeed) => {
        const { matrix, covariates } = syntheticData(spec);
        const trained = harmonize(matrix, covariates, options);
        const subset = fc.sample(fc.shuffledSubarray([...Array(matrix.samples).keys()], { minLength: 1 }), { seed: subsetSeed, numRuns: 1 })[0] as number[];
        const rows = selectSamples(matrix, covariates, subset);
        const applied = applyCombat(trained.model, rows.matrix, rows.covariates).data;
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
        for (let i = 0; i < matrix.samples; i++) {
          for (let v = 0; v < matrix.features; v++) {
            const at = i * matrix.features + v;
            if (Number.isNaN(reference.data[at])) {
              expect(shifted[at]).toBeNaN();
              continue;
            }
            const scale = model.adjusted[v] ? 1 / Math.sqrt(model.batches.get(covariates.batch[i]!)!.deltaStar[v]!) : 0;
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
        for (const key of ['varPooled', 'grandMean'] as const) expect(model[key].every(Number.isFinite)).toBe(true);
        for (const key of ['gammaStar', 'deltaStar'] as const) expect(stackBatches(model, key).every(Number.isFinite)).toBe(true);
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
        expect(applyCombat(model, { ...matrix, data }, covariates).data).toEqual(output);
      }),
      { numRuns: 60 },
    );
  });
});
