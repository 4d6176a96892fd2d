import { expectClose, familyCaseNames, loadFamilyCase, selectSamples, syntheticData, type FamilyCase } from '@combat/test-support';
import { describe, expect, it } from 'vitest';
import { CombatAccumulator, IncompatibleStatisticsError, applyCombat, codeDesign, declareDesign, deserializeModel, finalizeModel, harmonize, mergeStatistics, serializeModel, type CombatOptions } from '../src/index.js';

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
      'spline of continuous covariate "age": 3 distinct values within the boundary knots for df = 6; expected at least df + 1 (use a smaller df)',
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

describe('knots as R chooses them', () => {
  // Rscript -e 'library(splines); x <- c(12, 25, ..., 83); attr(ns(x, df = 4, Boundary.knots = c(20, 70)), "knots")' and the others below.
  const ages = [12, 25, 31, 34, 38, 41, 45, 47, 52, 55, 58, 61, 66, 70, 74, 83];
  const knotsOf = (age: number[], spline: { df?: number; boundaryKnots?: [number, number] }) => {
    const term = codeDesign({ batch: age.map((_, i) => (i % 2 === 0 ? 'a' : 'b')), continuous: { age } }, { splines: { age: spline } }).terms[0]!;
    return term.kind === 'spline' ? term.knots : [];
  };
  it.each([
    ['df 3', ages, {}, [41, 58]],
    ['df 5, an odd number of values', [...ages, 90], { df: 5 }, [34.800000000000004, 45.800000000000004, 56.800000000000004, 69.2]],
    ['df 4 within explicit boundary knots (the values outside them left out)', ages, { df: 4, boundaryKnots: [20, 70] as [number, number] }, [38, 47, 58]],
  ])('%s', (_, age, spline, expected) => {
    expectClose(knotsOf(age, { df: 3, ...spline }), expected, 1e-14, 'knots');
  });

  it('a df beyond the distinct values is refused before any fit', () => {
    expect(() => knotsOf(ages, { df: 16 })).toThrow('spline of continuous covariate "age": 16 distinct values within the boundary knots for df = 16; expected at least df + 1 (use a smaller df)');
  });
});

describe('statistics with spline terms', () => {
  const { matrix, covariates } = syntheticData({ seed: 21, batchSizes: [9, 10, 8], features: 4 });
  const spline = { kind: 'spline' as const, name: 'age', knots: [40, 60], boundaryKnots: [20, 80] as [number, number] };
  const site = (label: string) => selectSamples(matrix, covariates, covariates.batch.flatMap((b, i) => (b === label ? [i] : [])));

  it('merge across sites that declared the same knots into the pooled fit', () => {
    const coding = declareDesign([{ kind: 'categorical', name: 'sex', levels: ['F', 'M'] }, spline]);
    const merged = ['siteA', 'siteB', 'siteC'].map((label) => new CombatAccumulator(coding, 4).add(site(label).matrix, site(label).covariates).statistics()).reduce((a, b) => mergeStatistics(a, b));
    const pooled = harmonize(matrix, covariates, { splines: { age: { knots: [40, 60], boundaryKnots: [20, 80] } } });
    const fitted = finalizeModel(merged).model;
    expectClose(fitted.beta, pooled.model.beta, 1e-9, 'beta');
    expectClose(fitted.batches.get('siteB')!.gammaStar, pooled.model.batches.get('siteB')!.gammaStar, 1e-9, 'gammaStar');
  });

  it('refuse to merge with other knots, or with the covariate as a plain continuous one', () => {
    const a = new CombatAccumulator(declareDesign([{ kind: 'categorical', name: 'sex', levels: ['F', 'M'] }, spline]), 4).add(site('siteA').matrix, site('siteA').covariates).statistics();
    const other = declareDesign([{ kind: 'categorical', name: 'sex', levels: ['F', 'M'] }, { ...spline, knots: [50, 60] }]);
    const b = new CombatAccumulator(other, 4).add(site('siteB').matrix, site('siteB').covariates).statistics();
    expect(() => mergeStatistics(a, b)).toThrow(new IncompatibleStatisticsError('cannot merge statistics of splines of "age" with other knots: 20, 40, 60, 80 vs 20, 50, 60, 80 (boundary knots included)'));
    const plain = new CombatAccumulator(codeDesign(site('siteC').covariates), 4).add(site('siteC').matrix, site('siteC').covariates).statistics();
    expect(() => mergeStatistics(a, plain)).toThrow(IncompatibleStatisticsError);
  });

  it('finalizeModel refuses splines among its options: the statistics carry them', () => {
    const statistics = new CombatAccumulator(codeDesign(covariates), 4).add(matrix, covariates).statistics();
    expect(() => finalizeModel(statistics, { splines: { age: { df: 3 } } })).toThrow(/^finalizeModel: options\.splines: expected undefined: statistics carry their coding/);
  });
});
