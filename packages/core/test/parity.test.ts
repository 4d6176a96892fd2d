import { caseNames, expectClose, loadCase } from '@combat/test-support';
import { describe, expect, it } from 'vitest';
import { harmonize } from '../src/index.js';
import { batchLabels, stackBatches } from './model-arrays.js';

const ESTIMATE_NAMES = ['varPooled', 'grandMean', 'gammaHat', 'deltaHat', 'gammaStar', 'deltaStar', 'gammaBar', 't2', 'aPrior', 'bPrior'] as const;

describe.each(caseNames())('fixture %s', (name) => {
  const fixture = loadCase(name);
  const result = harmonize(fixture.matrix, fixture.covariates, fixture.options);

  it('matches the reference harmonized data (1e-9 relative, NaN where expected)', () => {
    expectClose(result.data, fixture.expected, 1e-9, name);
  });

  const estimates = fixture.estimates;
  if (estimates === undefined) return;
  it('matches the reference estimates', () => {
    expect(batchLabels(result.model)).toEqual(estimates.batches);
    const ref = fixture.spec.refBatch === null ? -1 : batchLabels(result.model).indexOf(fixture.spec.refBatch);
    for (const key of ESTIMATE_NAMES) {
      if (!(key in estimates)) continue;
      const expected = (estimates[key] as (number | number[])[]).flat();
      const actual = key === 'grandMean' || key === 'varPooled' ? Float64Array.from(result.model[key]) : stackBatches(result.model, key);
      if ((key === 'aPrior' || key === 'bPrior') && ref >= 0) {
        // The reference batch's deltaHat is m/(m-1) for every feature, so the spread of deltaHat
        // is 0 in exact arithmetic and both priors are infinite; the references hold rounding
        // noise (~1e30) there. Check that both sides are effectively infinite, compare the rest.
        expect(actual[ref], `${name} ${key} of the reference batch`).toBeGreaterThan(1e20);
        expect(expected[ref]).toBeGreaterThan(1e20);
        actual[ref] = expected[ref] = 0;
      }
      expectClose(actual, expected, 1e-9, `${name} ${key}`);
    }
  });
});
