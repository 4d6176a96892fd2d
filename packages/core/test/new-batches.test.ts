import { expectClose, familyCaseNames, loadFamilyCase, selectSamples, syntheticData, thrownBy } from '@combat/test-support';
import { describe, expect, it } from 'vitest';
import { CombatAccumulator, TooFewFeaturesError, applyCombat, declareDesign, rangeWarnings, deserializeModel, estimateBatches, estimateBatchesFromStatistics, harmonize, serializeModel } from '../src/index.js';

// The spline cases need spline terms (the next issue); every other new-batch case runs here.
const CASES = familyCaseNames('newbatch-').filter((name) => loadFamilyCase(name).spec.splines.length === 0);

describe.each(CASES)('new batches, fixture %s', (name) => {
  const fixture = loadFamilyCase(name);
  const trained = harmonize(fixture.train.matrix, fixture.train.covariates, fixture.options);

  it('fits the training samples as the reference does', () => {
    expectClose(trained.data, fixture.expectedTrain, 1e-9, `${name} train`);
  });

  it('harmonizes the new samples, estimating the unseen batches, as the reference does', () => {
    const { data, model, warnings } = applyCombat(trained.model, fixture.new.matrix, fixture.new.covariates, { newBatches: 'estimate' });
    expectClose(data, fixture.expectedNew, 1e-9, `${name} new`);
    // New subjects may lie outside the training ages: those warnings, and nothing else.
    expect(warnings).toEqual(rangeWarnings(trained.model.coding, fixture.new.covariates));
    for (const batch of fixture.spec.newBatches) {
      expect(model.batches.get(batch)).toMatchObject({ training: false, samples: fixture.new.covariates.batch.filter((b) => b === batch).length });
    }
    // The covariate part is the training model's.
    for (const key of ['beta', 'grandMean', 'varPooled', 'adjusted'] as const) expect(model[key]).toBe(trained.model[key]);
  });

  it('gives the same model from the statistics of the new samples', () => {
    const fromRows = estimateBatches(trained.model, fixture.new.matrix, fixture.new.covariates).model;
    const newRows = fixture.new.covariates.batch.flatMap((b, i) => (fixture.spec.newBatches.includes(b) ? [i] : []));
    const V = fixture.new.matrix.features;
    // The model's coding, whose age range the new subjects go beyond.
    const accumulator = new CombatAccumulator(trained.model.coding, V);
    for (const i of newRows) {
      accumulator.add(
        { data: fixture.new.matrix.data.slice(i * V, (i + 1) * V), samples: 1, features: V },
        {
          batch: [fixture.new.covariates.batch[i]!],
          categorical: Object.fromEntries(Object.entries(fixture.new.covariates.categorical!).map(([k, values]) => [k, [values[i]!]])),
          continuous: Object.fromEntries(Object.entries(fixture.new.covariates.continuous!).map(([k, values]) => [k, [values[i]!]])),
        },
      );
    }
    const fromStatistics = estimateBatchesFromStatistics(trained.model, accumulator.statistics()).model;
    for (const batch of fixture.spec.newBatches) {
      for (const key of ['gammaHat', 'deltaHat', 'gammaStar', 'deltaStar'] as const) {
        expectClose(fromStatistics.batches.get(batch)![key], fromRows.batches.get(batch)![key], 1e-12, `${batch} ${key}`);
      }
    }
  });

  it('saves the extended model, which then adjusts more samples of the new batch exactly as the in-memory one', () => {
    const { model } = estimateBatches(trained.model, fixture.new.matrix, fixture.new.covariates);
    const restored = deserializeModel(structuredClone(serializeModel(model)));
    const first = applyCombat(model, fixture.new.matrix, fixture.new.covariates).data;
    expect(applyCombat(restored, fixture.new.matrix, fixture.new.covariates).data).toEqual(first);
    expectClose(first, fixture.expectedNew, 1e-9, `${name} saved`);
  });
});

describe('new batches, edge cases', () => {
  const { matrix, covariates } = syntheticData({ seed: 31, batchSizes: [8, 9, 7], features: 5 });
  const { model } = harmonize(matrix, covariates);
  const site = (label: string) => covariates.batch.flatMap((b, i) => (b === label ? [i] : []));
  const asNew = (rows: number[]) => selectSamples(matrix, { ...covariates, batch: covariates.batch.map(() => 'siteN') }, rows);

  it('a feature whose estimates overflow is left unadjusted for the new batch alone; the others are adjusted', () => {
    const fresh = asNew(site('siteC'));
    fresh.matrix.data.forEach((y, at) => at % 5 === 4 && (fresh.matrix.data[at] = y * 1e150));
    const { model: extended, warnings } = estimateBatches(model, fresh.matrix, fresh.covariates);
    expect(warnings).toEqual([expect.objectContaining({ code: 'unadjusted-features', features: [4], reasons: [{ cause: 'overflow', batch: 'siteN' }], batch: 'siteN' })]);
    expect(Array.from(extended.batches.get('siteN')!.adjusted)).toEqual([1, 1, 1, 1, 0]);
  });

  it('too few features for empirical Bayes in a new batch offers no option it does not take', () => {
    const fresh = asNew(site('siteC'));
    fresh.matrix.data.forEach((_, at) => at % 5 >= 1 && (fresh.matrix.data[at] = 3));
    const error = thrownBy(() => estimateBatches(model, fresh.matrix, fresh.covariates), TooFewFeaturesError);
    expect(error.message).toBe("empirical Bayes (the model's) needs at least 2 features new batch siteN can estimate, to estimate its priors; found 1");
    expect(error.remedy).toBeUndefined();
  });
});

describe('ranges of continuous covariates', () => {
  const { matrix, covariates } = syntheticData({ seed: 5, batchSizes: [6, 6], features: 3 });
  const ages = Array.from(covariates.continuous.age!);

  it('a coding from the data records its extremes, and the model keeps them', () => {
    const range = [Math.min(...ages), Math.max(...ages)];
    expect(harmonize(matrix, covariates).model.coding.terms[1]).toEqual({ kind: 'continuous', name: 'age', range });
  });

  it('an accumulator widens a declared range to cover the values added, and leaves a null one null', () => {
    const declared = declareDesign([{ kind: 'categorical', name: 'sex', levels: ['F', 'M'] }, { kind: 'continuous', name: 'age', range: [40, 50] }]);
    const statistics = new CombatAccumulator(declared, 3).add(matrix, covariates).statistics();
    expect(statistics.coding.terms[1]).toEqual({ kind: 'continuous', name: 'age', range: [Math.min(40, ...ages), Math.max(50, ...ages)] });
    expect(declared.terms[1]).toEqual({ kind: 'continuous', name: 'age', range: [40, 50] });
    const wide = declareDesign([{ kind: 'categorical', name: 'sex', levels: ['F', 'M'] }, { kind: 'continuous', name: 'age', range: [0, 120] }]);
    expect(new CombatAccumulator(wide, 3).add(matrix, covariates).statistics().coding.terms[1]).toEqual({ kind: 'continuous', name: 'age', range: [0, 120] });
    const unknown = declareDesign([{ kind: 'categorical', name: 'sex', levels: ['F', 'M'] }, { kind: 'continuous', name: 'age', range: null }]);
    expect(new CombatAccumulator(unknown, 3).add(matrix, covariates).statistics().coding.terms[1]).toEqual({ kind: 'continuous', name: 'age', range: null });
  });
});
