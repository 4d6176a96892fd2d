/**
 * What the CLI's demo and tests need from `@combat/report` beyond its public API, exported for them
 * alone: no stability promise, it may change in any release.
 */
export { FEATURE_ROWS } from './feature-table.js';
export { escape } from './html.js';
