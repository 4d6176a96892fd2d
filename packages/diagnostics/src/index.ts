export { anova } from './anova.js';
export { bartlett } from './bartlett.js';
export { BATCH_TESTS, testBatches, type BatchTestName, type FeatureTests, type TestBatchesOptions } from './batch-tests.js';
export { benjaminiHochberg } from './benjamini-hochberg.js';
export { fitCovariates, type CovariateFit, type FeatureValues, type FitCovariatesOptions, type TermEffect } from './covariate-fit.js';
export { flignerKilleen } from './fligner-killeen.js';
export { kruskalWallis } from './kruskal-wallis.js';
export { levene } from './levene.js';
export type { ChiSquareTest, FTest } from './types.js';
