import { expectClose, familyCaseNames, loadFamilyCase } from '@combat/test-support';
import { describe, expect, it } from 'vitest';
import { CombatAccumulator, applyCombat, rangeWarnings, deserializeModel, estimateBatches, estimateBatchesFromStatistics, harmonize, serializeModel } from '../src/index.js';

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
    const coding = { terms: trained.model.coding.terms.map((t) => (t.kind === 'continuous' ? { ...t, range: null } : t)), columns: trained.model.coding.columns };
    const accumulator = new CombatAccumulator(coding, V);
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
