import { expectClose, familyCaseNames, loadFamilyCase, syntheticData, type FamilyCase } from '@combat/test-support';
import { describe, expect, it } from 'vitest';
import { applyCombat, codeDesign, deserializeModel, harmonize, serializeModel, type CombatOptions } from '../src/index.js';

/** A family case's options with its splines, degrees of freedom as R was given them. */
function optionsOf(fixture: FamilyCase): CombatOptions {
  return { ...fixture.options, splines: Object.fromEntries(fixture.spec.splines.map((s) => [s.column, { df: s.df }])) };
}

const CASES = familyCaseNames().filter((name) => loadFamilyCase(name).spec.splines.length > 0);

describe.each(CASES)('spline terms, fixture %s', (name) => {
  const fixture = loadFamilyCase(name);
  const train = fixture.train.covariates;
  const fresh = fixture.new.covariates;

  it('chooses the knots R chose', () => {
    const coding = codeDesign(train, { splines: optionsOf(fixture).splines! });
    for (const spline of fixture.spec.splines) {
      const term = coding.terms.find((t) => t.name === spline.column);
      expect(term?.kind).toBe('spline');
      if (term?.kind !== 'spline') continue;
      expectClose(term.knots, spline.knots, 1e-12, `${name} knots`);
      expect(term.boundaryKnots).toEqual(spline.boundaryKnots);
    }
  });

  it('fits the training samples, and harmonizes the new ones (new sites estimated), as the reference does', () => {
    const trained = harmonize(fixture.train.matrix, train, optionsOf(fixture));
    expectClose(trained.data, fixture.expectedTrain, 1e-9, `${name} train`);
    const { data, warnings } = applyCombat(trained.model, fixture.new.matrix, fresh, { newBatches: 'estimate' });
    expectClose(data, fixture.expectedNew, 1e-9, `${name} new`);
    // New subjects beyond the training ages are evaluated on the linear continuation, and said so.
    const [low, high] = fixture.spec.splines[0]!.boundaryKnots;
    const outside = Array.from(fresh.continuous!.age!).flatMap((age, i) => (age < low || age > high ? [i] : []));
    expect(warnings.filter((w) => w.code === 'outside-training-range')).toEqual(outside.length === 0 ? [] : [expect.objectContaining({ covariate: 'age', range: [low, high], samples: outside })]);
  });
});

describe('a spline of one degree of freedom', () => {
  it('gives the output of the plain linear covariate', () => {
    const { matrix, covariates } = syntheticData({ seed: 12, batchSizes: [9, 8, 10], features: 6, missing: 0.05 });
    const linear = harmonize(matrix, covariates);
    const spline = harmonize(matrix, covariates, { splines: { age: { df: 1 } } });
    expect(spline.model.coding.columns).toEqual(['sex:M', 'age:ns1']);
    expectClose(spline.data, linear.data, 1e-12, 'df = 1');
  });
});

describe('spline terms refused', () => {
  it('too few distinct values for the knots asked', () => {
    const { matrix, covariates } = syntheticData({ seed: 2, batchSizes: [6, 6], features: 3 });
    const age = Float64Array.from(covariates.continuous.age!, (_, i) => [30, 40, 50][i % 3]!);
    expect(() => harmonize(matrix, { ...covariates, continuous: { age } }, { splines: { age: { df: 6 } } })).toThrow(
      /^spline of continuous covariate "age": knots are 30, 30, 36\.6+\d*, 40, 43\.3+\d*, 50, 50 \(boundary knots included\); expected finite knots strictly ascending, the interior ones strictly between the boundary knots \(3 distinct values for df = 6; use a smaller df\)$/,
    );
  });

  it('explicit knots outside the boundary knots', () => {
    const { covariates } = syntheticData({ seed: 2, batchSizes: [6, 6], features: 3 });
    expect(() => codeDesign(covariates, { splines: { age: { knots: [10], boundaryKnots: [20, 80] } } })).toThrow(
      'spline of continuous covariate "age": knots are 20, 10, 80 (boundary knots included); expected finite knots strictly ascending, the interior ones strictly between the boundary knots',
    );
  });
});

describe('a model with a spline term', () => {
  it('serializes with its knots and adjusts new subjects after a round trip exactly as before', () => {
    const fixture = loadFamilyCase('spline-parametric');
    const { model } = harmonize(fixture.train.matrix, fixture.train.covariates, optionsOf(fixture));
    const { formatVersion, meta, arrays } = serializeModel(model);
    const restored = deserializeModel({ formatVersion, meta: JSON.parse(JSON.stringify(meta)), arrays });
    expect(restored.coding).toEqual(model.coding);
    expect(applyCombat(restored, fixture.new.matrix, fixture.new.covariates).data).toEqual(applyCombat(model, fixture.new.matrix, fixture.new.covariates).data);
  });
});
