import { loadCase, syntheticData } from '@combat/test-support';
import { describe, expect, it } from 'vitest';
import { applyCombat, deserializeModel, harmonize, serializeModel } from '../src/index.js';
import { batchLabels, expectIdentical, stackBatches } from './model-arrays.js';

describe('harmonize', () => {
  it('never modifies its inputs', () => {
    const { matrix, covariates } = syntheticData({ seed: 3, batchSizes: [8, 9, 7], features: 6, missing: 0.05 });
    const before = { data: matrix.data.slice(), batch: [...covariates.batch], sex: [...covariates.categorical.sex!], age: Float64Array.from(covariates.continuous.age!) };
    const { data } = harmonize(matrix, covariates, { refBatch: 'siteB' });
    expect(data).not.toBe(matrix.data);
    expect(matrix.data).toEqual(before.data);
    expect(covariates.batch).toEqual(before.batch);
    expect(covariates.categorical.sex).toEqual(before.sex);
    expect(covariates.continuous.age).toEqual(before.age);
  });

  it('gives the same result for Float32Array input as for the same values in float64', () => {
    const { matrix, covariates } = syntheticData({ seed: 5, batchSizes: [10, 12], features: 8 });
    const single = Float32Array.from(matrix.data);
    const fromSingle = harmonize({ ...matrix, data: single }, covariates).data;
    const fromDouble = harmonize({ ...matrix, data: Float64Array.from(single) }, covariates).data;
    expect(fromSingle).toBeInstanceOf(Float64Array);
    expect(fromSingle).toEqual(fromDouble);
  });

  it('leaves the reference batch bit for bit and adjusts the others', () => {
    const { matrix, covariates } = syntheticData({ seed: 11, batchSizes: [9, 8, 10], features: 5 });
    const { data, model } = harmonize(matrix, covariates, { refBatch: 'siteB' });
    covariates.batch.forEach((label, i) => {
      const input = matrix.data.subarray(i * 5, i * 5 + 5);
      const output = data.subarray(i * 5, i * 5 + 5);
      if (label === 'siteB') expect(Array.from(output)).toEqual(Array.from(input));
      else expect(Array.from(output)).not.toEqual(Array.from(input));
    });
    expect(Array.from(model.batches.get('siteB')!.gammaStar)).toEqual([0, 0, 0, 0, 0]);
    expect(Array.from(model.batches.get('siteB')!.deltaStar)).toEqual([1, 1, 1, 1, 1]);
  });

  it('switches to mean-only with a warning when a batch has one sample', () => {
    const fixture = loadCase('roi-singleton-batch');
    const { data, model, warnings } = harmonize(fixture.matrix, fixture.covariates);
    expect(warnings.map((w) => w.code)).toEqual(['singleton-batch']);
    expect(warnings[0]).toMatchObject({ batches: ['siteC'] });
    expect(model.options.meanOnly).toBe(true);
    expect(stackBatches(model, 'deltaStar').every((d) => d === 1)).toBe(true);
    expect(data).toEqual(harmonize(fixture.matrix, fixture.covariates, { meanOnly: true }).data);
  });

  it('leaves features constant within a batch exactly as they were, and says which', () => {
    const fixture = loadCase('roi-zerovariance');
    const { data, model, warnings } = harmonize(fixture.matrix, fixture.covariates);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ code: 'unadjusted-features', features: [0, 1] });
    expect(Array.from(model.adjusted.subarray(0, 3))).toEqual([0, 0, 1]);
    const V = fixture.matrix.features;
    for (let i = 0; i < fixture.matrix.samples; i++) {
      for (const v of [0, 1]) expect(Object.is(data[i * V + v], fixture.matrix.data[i * V + v])).toBe(true);
    }
    expect(model.batches.get('siteA')!.gammaStar[0]).toBeNaN();
    expect(model.varPooled[1]).toBeNaN();
    expect(Number.isFinite(model.batches.get('siteA')!.gammaStar[2])).toBe(true);
  });

  it('keeps missing cells missing and adjusts the rest', () => {
    const fixture = loadCase('roi-missing-parametric');
    const { data } = harmonize(fixture.matrix, fixture.covariates);
    fixture.matrix.data.forEach((y, i) => expect(Number.isNaN(data[i])).toBe(Number.isNaN(y)));
  });

  it('warns when the parametric solver hits its iteration cap, and returns finite values', () => {
    const fixture = loadCase('roi-parametric');
    const { data, warnings } = harmonize(fixture.matrix, fixture.covariates, { maxIterations: 1 });
    expect(warnings.map((w) => w.code)).toEqual(['not-converged', 'not-converged', 'not-converged']);
    expect(warnings[0]!.message).toMatch(/batch siteA stopped after 1 iterations with relative change .* \(> 1e-4\)/);
    expect(data.every(Number.isFinite)).toBe(true);
  });

  it('orders batches and levels by code point', () => {
    const batch = ['\u{1F600}', 'z', '\uFF5A', 'A', '\u{1F600}', 'z', '\uFF5A', 'A'];
    const data = Float64Array.from({ length: 8 * 3 }, (_, i) => Math.cos(i * 1.7) * 3 + (i % 5));
    const { model } = harmonize({ data, samples: 8, features: 3 }, { batch }, { eb: false });
    expect(batchLabels(model)).toEqual(['A', 'z', '\uFF5A', '\u{1F600}']);
  });

  it('exposes the covariate coefficients with the design coding', () => {
    // y = site level + 0.5 * age + 2 * (sex == M) + small noise: the fitted coefficients recover them.
    const samples = 40;
    const batch = Array.from({ length: samples }, (_, i) => (i < 20 ? 's1' : 's2'));
    const sex = Array.from({ length: samples }, (_, i) => (i % 2 === 0 ? 'F' : 'M'));
    const age = Float64Array.from({ length: samples }, (_, i) => 20 + ((i * 7) % 50));
    const data = Float64Array.from({ length: samples * 2 }, (_, k) => {
      const i = Math.floor(k / 2);
      return (i < 20 ? 10 : 14) + 0.5 * age[i]! + (sex[i] === 'M' ? 2 : 0) + 1e-3 * Math.sin(k);
    });
    const { model } = harmonize({ data, samples, features: 2 }, { batch, categorical: { sex }, continuous: { age } }, { eb: false });
    expect(model.coding.columns).toEqual(['sex:M', 'age']);
    expect(model.coding.terms).toEqual([
      { kind: 'categorical', name: 'sex', levels: ['F', 'M'] },
      { kind: 'continuous', name: 'age', range: [20, 69] },
    ]);
    const coefficient = (column: string, v: number) => model.beta[model.coding.columns.indexOf(column) * 2 + v]!;
    expect(coefficient('sex:M', 0)).toBeCloseTo(2, 2);
    expect(coefficient('age', 1)).toBeCloseTo(0.5, 4);
    expect(model.grandMean[0]).toBeCloseTo(12, 2);
  });
});

describe('serialized models', () => {
  it('round-trip exactly through JSON metadata and typed arrays', () => {
    const fixture = loadCase('roi-zerovariance');
    const { model, data } = harmonize(fixture.matrix, fixture.covariates, { refBatch: 'siteA' });
    const serialized = serializeModel(model);
    const meta = JSON.parse(JSON.stringify(serialized.meta));
    const arrays = Object.fromEntries(Object.entries(serialized.arrays).map(([k, a]) => [k, a.slice()])) as typeof serialized.arrays;
    const restored = deserializeModel({ formatVersion: serialized.formatVersion, meta, arrays });
    expectIdentical(restored, model);
    expect(applyCombat(restored, fixture.matrix, fixture.covariates).data).toEqual(data);
  });
});
