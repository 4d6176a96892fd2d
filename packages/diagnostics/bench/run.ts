/**
 * `pnpm bench` for @combat/diagnostics: the tests across batches and the covariate fit on
 * synthetic data of n = 200 samples in 4 batches of 50 (age and sex as covariates), timed
 * in-process, per feature, and `diagnose` of a harmonized run as a whole. Prints figures and the
 * machine's load average; asserts nothing.
 */
import { loadavg } from 'node:os';
import { codeDesign, harmonize } from '@combat/core';
import { BATCH_TESTS, batchPredictability, diagnose, fitCovariates, priorFit, testBatches } from '../src/index.js';
// The test helpers' generator, by path: the bench runs compiled JavaScript, and @combat/test-support is TypeScript.
import { syntheticData } from '../../../test-support/src/synthetic.js';

const BATCH_SIZES = [50, 50, 50, 50];
const FEATURES = 20_000;
const RUNS = 5;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function time(name: string, run: () => unknown, runs = RUNS): void {
  run(); // warm-up
  const seconds: number[] = [];
  for (let r = 0; r < runs; r++) {
    const start = performance.now();
    run();
    seconds.push((performance.now() - start) / 1000);
  }
  const m = median(seconds);
  console.log(`${name.padEnd(32)} median ${m.toFixed(3)} s  min ${Math.min(...seconds).toFixed(3)} s  ${((m / FEATURES) * 1e6).toFixed(1)} us per feature  (${runs} runs)`);
}

const { matrix, covariates } = syntheticData({ seed: 2026, batchSizes: BATCH_SIZES, features: FEATURES });
const coding = codeDesign(covariates);
// 3% of the cells missing, so the fit also runs its per-pattern path.
const missing = syntheticData({ seed: 2026, batchSizes: BATCH_SIZES, features: FEATURES, missing: 0.03 }).matrix;
console.log(`@combat/diagnostics benchmark, Node ${process.version}, n=${matrix.samples} in ${BATCH_SIZES.length} batches, V=${FEATURES}, covariates ${coding.columns.join(', ')}`);
time('fitCovariates, complete', () => fitCovariates(matrix, coding, covariates));
time('fitCovariates, 3% missing', () => fitCovariates(missing, coding, covariates));
for (const test of BATCH_TESTS) time(`testBatches ${test}`, () => testBatches(matrix, covariates.batch, { tests: [test] }));
time('testBatches, all five', () => testBatches(matrix, covariates.batch));

const { data: harmonized, model } = harmonize(matrix, covariates);
const after = { ...matrix, data: harmonized };
time('priorFit', () => priorFit(model));
time('batchPredictability', () => batchPredictability(matrix, covariates.batch), 3);
time('diagnose (everything)', () => diagnose(matrix, after, covariates, model), 3);
console.log(`load average (1, 5, 15 min): ${loadavg().map((x) => x.toFixed(1)).join(', ')}`);
