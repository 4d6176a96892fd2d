/**
 * What the other `@combat/*` packages need from `@combat/core` beyond its public API, exported
 * for them alone: no stability promise, it may change in any release.
 */
export { PLAIN_FORMAT_VERSION, checkModelMeta } from './serialize.js';
export { checkFitBatches } from './levels.js';
export { checkCoding } from './coding-checks.js';
export { checkStatistics } from './statistics.js';
export { accumulateColumns, checkEncodedBlock } from './accumulator.js';
export { adjustColumns, checkEncodedApply, findBatches, findFirstAtLeast, prepareApply } from './apply.js';
export { joinStatistics } from './feature-ranges.js';
export { prepareHarmonize } from './harmonize.js';
export { checkComplete, checkNoInfinity } from './input-checks.js';
export { fitCovbat, type ComponentChoice } from './covbat.js';
export { allocateLocal, type Allocate } from './allocate.js';
export { CONVERGENCE } from './empirical-bayes.js';
export {
  allocateModel,
  assembleModel,
  estimateFitPriors,
  findKept,
  finishRange,
  fitRange,
  fitWarnings,
  iterateRange,
  iteratesBatch,
  joinScreens,
  planFit,
  shrinkRange,
  type BatchPriors,
  type FitPlan,
  type Iterations,
  type ModelArrays,
  type Outcome,
  type RangeFit,
} from './fit-phases.js';
