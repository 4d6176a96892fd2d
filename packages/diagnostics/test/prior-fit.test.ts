import { harmonize } from '@combat/core';
import { expectClose, loadCase } from '@combat/test-support';
import { describe, expect, it } from 'vitest';
import { priorFit, type PriorCheck } from '../src/index.js';
import { kolmogorovSmirnov } from '../src/kolmogorov-smirnov.js';
import { priorDistribution } from '../src/prior-fit.js';
import { cell, reference } from './references.js';

// The references: make-diagnostics.R computes the estimates and priors as sva::ComBat does on
// roi-parametric's input and runs ks.test against each prior (test/fixtures/README.md).
const TOLERANCE = 1e-9;
const fixture = loadCase('roi-parametric');
const { model } = harmonize(fixture.matrix, fixture.covariates, fixture.options);
const rows = reference('priors', 'priors.csv').rows;
const qq = reference('priors', 'qq.csv').rows;

describe('priorFit against R (ks.test, bw.nrd0, qnorm / qgamma at ppoints) on roi-parametric', () => {
  const fit = priorFit(model);
  it.each(rows.filter((row) => row.features === 'all').map((row) => [`${row.batch} ${row.parameter}`, row] as const))('%s', (label, row) => {
    const batch = fit.batches.find((b) => b.batch === row.batch)!;
    const check = batch[row.parameter as 'gamma' | 'delta'] as PriorCheck;
    expect(check.distribution).toBe(row.parameter === 'gamma' ? 'normal' : 'inverse-gamma');
    expect(check.features).toBe(Number(row.n));
    // R's t2 is the variance; ours the sd.
    const expected = row.parameter === 'gamma' ? [cell(row.first), Math.sqrt(cell(row.second))] : [cell(row.first), cell(row.second)];
    expectClose(check.parameters, expected, TOLERANCE, `${label} prior`);
    expectClose([check.ks.statistic], [cell(row.statistic)], TOLERANCE, `${label} D`);
    expectClose([check.ks.p], [cell(row.p)], TOLERANCE, `${label} p`);
    expect(check.ks.exact).toBe(row.exact === 'TRUE');
    expectClose([check.density.bandwidth], [cell(row.bandwidth)], TOLERANCE, `${label} bandwidth`);
    const theoretical = qq.filter((q) => q.batch === row.batch && q.parameter === row.parameter).map((q) => cell(q.quantile));
    expectClose(check.qq.theoretical, theoretical, TOLERANCE, `${label} QQ quantiles`);
    expect(check.qq.sample).toEqual([...check.qq.sample].sort((a, b) => a - b));
  });

  it.each(rows.filter((row) => row.features === 'first50').map((row) => [`${row.batch} ${row.parameter}`, row] as const))('%s, first 50 features: the exact p', (label, row) => {
    const effects = model.batches.get(row.batch!)!;
    const values = (row.parameter === 'gamma' ? effects.gammaHat : effects.deltaHat).slice(0, 50).sort();
    const parameters = row.parameter === 'gamma' ? [effects.gammaBar, Math.sqrt(effects.t2)] : [effects.aPrior, effects.bPrior];
    const ks = kolmogorovSmirnov(values, priorDistribution(row.parameter as 'gamma', parameters[0]!, parameters[1]!).cdf);
    expect(ks.exact).toBe(true);
    expectClose([ks.statistic, ks.p], [cell(row.statistic), cell(row.p)], TOLERANCE, `${label} first 50`);
  });
});

describe('priorFit', () => {
  it('draws the estimates\' density and the prior\'s on one grid, each integrating to about 1', () => {
    for (const batch of priorFit(model).batches) {
      for (const check of [batch.gamma, batch.delta] as PriorCheck[]) {
        const { x, estimate, prior } = check.density;
        const step = x[1]! - x[0]!;
        const area = (values: number[]) => values.reduce((sum, y) => sum + y, 0) * step;
        // The kernel density integrates to 1 over [min - 3 bw, max + 3 bw] less the two tails beyond 3 bandwidths.
        expect(Math.abs(area(estimate) - 1)).toBeLessThan(0.01);
        expect(area(prior)).toBeGreaterThan(0.5);
        expect(x[0]).toBeCloseTo(Math.min(...check.qq.sample) - 3 * check.density.bandwidth, 12);
      }
    }
  });

  it('says why there is no prior: no EB, non-parametric, a reference batch, mean-only', () => {
    const noEb = harmonize(fixture.matrix, fixture.covariates, { ...fixture.options, eb: false }).model;
    expect(priorFit(noEb).prior).toBe('none');
    expect(priorFit(noEb).batches.map((b) => [b.gamma, b.delta])).toEqual(['siteA', 'siteB', 'siteC'].map(() => [{ parameter: 'gamma', cause: 'no-eb' }, { parameter: 'delta', cause: 'no-eb' }]));
    const nonParametric = harmonize(fixture.matrix, fixture.covariates, { ...fixture.options, parametric: false }).model;
    expect(priorFit(nonParametric)).toMatchObject({ prior: 'non-parametric', batches: [{ gamma: { cause: 'non-parametric' } }, { delta: { cause: 'non-parametric' } }, {}] });
    const reference = priorFit(harmonize(fixture.matrix, fixture.covariates, { ...fixture.options, refBatch: 'siteB' }).model);
    expect(reference.batches.map((b) => 'cause' in b.gamma ? b.gamma.cause : b.gamma.distribution)).toEqual(['normal', 'reference-batch', 'normal']);
    const meanOnly = priorFit(harmonize(fixture.matrix, fixture.covariates, { ...fixture.options, meanOnly: true }).model);
    expect(meanOnly.batches.map((b) => ['cause' in b.gamma, b.delta])).toEqual(['siteA', 'siteB', 'siteC'].map(() => [false, { parameter: 'delta', cause: 'mean-only' }]));
  });

  it('thins the QQ points to the quantiles asked, keeping the extremes', () => {
    const check = priorFit(model, { quantiles: 5, points: 7 }).batches[0]!.gamma as PriorCheck;
    const sorted = Array.from(model.batches.get('siteA')!.gammaHat).sort((a, b) => a - b);
    expect(check.qq.sample).toEqual([sorted[0], sorted[30], sorted[60], sorted[89], sorted[119]]);
    expect(check.density.x).toHaveLength(7);
  });
});
