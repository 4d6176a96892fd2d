import { expectClose, loadLongitudinalCase, longitudinalCaseNames } from '@combat/test-support';
import { describe, expect, it } from 'vitest';
import { harmonizeLongitudinal, type LongitudinalBatch } from '../src/index.js';

const ESTIMATES = [
  ['gammaHat', 'gammaHat'],
  ['delta2Hat', 'deltaHat'],
  ['gammaStar', 'gammaStar'],
  ['delta2Star', 'deltaStar'],
] as const;

describe.each(longitudinalCaseNames())('longitudinal fixture %s', (name) => {
  const fixture = loadLongitudinalCase(name);
  const result = harmonizeLongitudinal(fixture.matrix, fixture.covariates, fixture.options);

  it('matches longCombat\u2019s harmonized data (1e-7 relative)', () => {
    expectClose(result.data, fixture.expected, 1e-7, name);
  });

  if (fixture.spec.splines.length > 0) {
    it('codes each spline with the knots R\u2019s ns() chose (the quantiles of the case\u2019s values)', () => {
      for (const spline of fixture.spec.splines) {
        const term = result.coding.terms.find((t) => t.name === spline.column);
        expect(term?.kind).toBe('spline');
        if (term?.kind !== 'spline') continue;
        expectClose(term.knots, spline.knots, 1e-12, `${name} knots`);
        expect(term.boundaryKnots).toEqual(spline.boundaryKnots);
      }
    });
  }

  if (name === 'long-boundary') {
    it('has features whose variance ratio REML puts on the zero boundary, and others inside', () => {
      expect(result.ratio.some((ratio) => ratio === 0)).toBe(true);
      expect(result.ratio.some((ratio) => ratio > 0)).toBe(true);
    });
  }

  it('matches longCombat\u2019s estimates (1e-7 relative)', () => {
    expect([...result.batches.keys()]).toEqual(fixture.estimates.batches);
    for (const [reference, ours] of ESTIMATES) {
      const actual = fixture.estimates.batches.flatMap((batch) => Array.from((result.batches.get(batch) as LongitudinalBatch)[ours]));
      expectClose(actual, fixture.estimates[reference].flat(), 1e-7, `${name} ${reference}`);
    }
  });
});
