import * as diagnostics from '@combat/diagnostics';
import { expect, test } from 'vitest';

test('the export list is pinned', () => {
  expect(Object.keys(diagnostics).sort()).toEqual([
    'BATCH_TESTS',
    'anova',
    'bartlett',
    'batchPredictability',
    'benjaminiHochberg',
    'covarianceDifference',
    'diagnose',
    'fitCovariates',
    'flignerKilleen',
    'kruskalWallis',
    'levene',
    'principalComponents',
    'priorFit',
    'testBatches',
  ]);
});
