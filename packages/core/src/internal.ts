/**
 * What the other `@combat/*` packages need from `@combat/core` beyond its public API, exported
 * for them alone: no stability promise, it may change in any release.
 */
export { checkModelMeta } from './serialize.js';
export { checkFitBatches } from './levels.js';
