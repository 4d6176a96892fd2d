/**
 * What the other `@combat/*` packages need from `@combat/core` beyond its public API, exported
 * for them alone: no stability promise, it may change in any release.
 */
export { checkModelMeta } from './serialize.js';
export { checkFitBatches } from './levels.js';
export { checkCoding } from './coding-checks.js';
export { checkStatistics } from './statistics.js';
export { accumulateColumns } from './accumulator.js';
export { adjustColumns } from './apply.js';
export { joinStatistics, sliceModel } from './feature-ranges.js';
export { prepareHarmonize } from './harmonize.js';
export { prepareApply } from './apply.js';
