/**
 * `pnpm bench` for @combat/diagnostics: on synthetic data of n = 200 samples in 4 batches of 50
 * (age and sex as covariates), each step timed in-process, per feature, at V = 20,000 features (a
 * table) and V = 230,000 (a volume's voxels), and `diagnose` of a harmonized run as a whole. Each
 * size runs in a child process of its own, so its peak resident set size is its own. Prints
 * figures and the machine's load average; asserts nothing.
 */
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { codeDesign, harmonize } from '@combat/core';
import { BATCH_TESTS, batchPredictability, covarianceDifference, diagnose, fitCovariates, principalComponents, priorFit, testBatches } from '../src/index.js';
// The test helpers' generator, by path: the bench runs compiled JavaScript, and @combat/test-support is TypeScript.
import { syntheticData } from '../../../test-support/src/synthetic.js';

const BATCH_SIZES = [50, 50, 50, 50];
const SIZES = [20_000, 230_000];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function megabytes(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(0)} MB`;
}

/** Times `run` (after a warm-up when `runs` > 1) and prints the median, the minimum and the time per feature. */
function time(name: string, features: number, run: () => unknown, runs: number): void {
  if (runs > 1) run();
  const seconds: number[] = [];
  for (let r = 0; r < runs; r++) {
    const start = performance.now();
    run();
    seconds.push((performance.now() - start) / 1000);
  }
  const m = median(seconds);
  console.log(`  ${name.padEnd(30)} median ${m.toFixed(3)} s  min ${Math.min(...seconds).toFixed(3)} s  ${((m / features) * 1e6).toFixed(1)} us per feature  (${runs} run${runs === 1 ? '' : 's'})`);
}

/** One size, in this process: every step, then diagnose, then the peak RSS. */
function benchSize(features: number): void {
  const runs = features > 50_000 ? 1 : 3;
  const { matrix, covariates } = syntheticData({ seed: 2026, batchSizes: BATCH_SIZES, features });
  const coding = codeDesign(covariates);
  // 3% of the cells missing, so the fit also runs its per-pattern path.
  const missing = syntheticData({ seed: 2026, batchSizes: BATCH_SIZES, features, missing: 0.03 }).matrix;
  const { data: harmonized, model } = harmonize(matrix, covariates);
  const after = { ...matrix, data: harmonized };
  console.log(`n=${matrix.samples} in ${BATCH_SIZES.length} batches, V=${features}, covariates ${coding.columns.join(', ')}`);
  time('fitCovariates, complete', features, () => fitCovariates(matrix, coding, covariates), runs);
  time('fitCovariates, 3% missing', features, () => fitCovariates(missing, coding, covariates), runs);
  for (const test of BATCH_TESTS) time(`testBatches ${test}`, features, () => testBatches(matrix, covariates.batch, { tests: [test] }), runs);
  time('testBatches, all five', features, () => testBatches(matrix, covariates.batch), runs);
  time('testBatches, all five, 3% missing', features, () => testBatches(missing, covariates.batch), runs);
  time('priorFit', features, () => priorFit(model), runs);
  time('batchPredictability', features, () => batchPredictability(matrix, covariates.batch), runs);
  time('principalComponents', features, () => principalComponents(matrix), runs);
  time('covarianceDifference', features, () => covarianceDifference(matrix, covariates.batch), runs);
  time('covarianceDifference, 3% missing', features, () => covarianceDifference(missing, covariates.batch), runs);
  const resident = process.memoryUsage().rss;
  time('diagnose (everything)', features, () => diagnose(matrix, after, covariates, model), runs);
  // maxRSS is in kilobytes; the baseline holds the two data sets, the missing one and the model.
  console.log(`  peak RSS ${megabytes(process.resourceUsage().maxRSS * 1024)} (RSS before diagnose ${megabytes(resident)}; each data matrix ${megabytes(matrix.data.byteLength)})`);
}

const size = process.argv[2];
if (size !== undefined) benchSize(Number(size));
else {
  console.log(`@combat/diagnostics benchmark, Node ${process.version}`);
  for (const features of SIZES) {
    process.stdout.write(execFileSync(process.execPath, [fileURLToPath(import.meta.url), String(features)], { encoding: 'utf8', maxBuffer: 1 << 24 }));
  }
  console.log(`load average (1, 5, 15 min): ${loadavg().map((x) => x.toFixed(1)).join(', ')}`);
}
