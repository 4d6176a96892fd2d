import { describe, expect, it } from 'vitest';
import type { BatchTestName } from '@combat/diagnostics';
import { verdictOf } from '../src/verdict.js';

/**
 * The site-effect verdict from the tests' shares: a test that could test no feature (a share of
 * null) never counts as evidence that an effect is absent or gone.
 */
const BOUNDS = { siteEffect: 0.05, biology: 0.05, priors: 0.1, predictability: 0.1 };
const NO_PRIOR = { prior: 'none' as const, batches: [] };
const PREDICTABILITY = { before: { accuracy: 1, chance: 0.5 }, after: { accuracy: 0.5 } };

function siteEffect(shares: [BatchTestName, number | null, number | null][]) {
  const tests = shares.map(([test, before, after]) => ({ test, before: { share: before }, after: { share: after } }));
  return verdictOf(tests, [], NO_PRIOR, PREDICTABILITY, BOUNDS).siteEffect;
}

describe('the site-effect verdict', () => {
  it('says of each test and of all: remains, removed, none before', () => {
    const verdict = siteEffect([['anova', 0.9, 0.2], ['levene', 0.3, 0], ['bartlett', 0, 0]]);
    expect(verdict.tests.map((t) => t.status)).toEqual(['remains', 'removed', 'none-before']);
    expect(verdict.status).toBe('remains');
    expect(siteEffect([['anova', 0.9, 0.01], ['bartlett', 0.01, 0]]).status).toBe('removed');
    expect(siteEffect([['anova', 0.01, 0], ['bartlett', 0, 0.05]]).status).toBe('none-before');
  });

  it('says untested where a test could not test any feature, and never removed or none-before on that account', () => {
    // Every test untested (scale tests with a batch of one sample, and no location test asked for).
    const none = siteEffect([['levene', null, null], ['bartlett', null, null]]);
    expect([none.status, ...none.tests.map((t) => t.status)]).toEqual(['untested', 'untested', 'untested']);
    // An effect before that could not be looked for after may remain.
    const lost = siteEffect([['anova', 0.01, 0], ['levene', 0.7, null]]);
    expect([lost.status, ...lost.tests.map((t) => t.status)]).toEqual(['untested', 'none-before', 'untested']);
    // An untested test beside one that shows the effect gone: removed, that test still said untested.
    const partly = siteEffect([['anova', 0.8, 0], ['levene', null, null]]);
    expect([partly.status, ...partly.tests.map((t) => t.status)]).toEqual(['removed', 'removed', 'untested']);
    // One that remains outweighs any untested.
    expect(siteEffect([['anova', 0.8, 0.3], ['levene', null, null]]).status).toBe('remains');
  });
});
