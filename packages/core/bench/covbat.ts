/**
 * The CovBat scenarios of `pnpm bench`: n = 200 samples (4 batches of 50, covariates age and sex),
 * `harmonizeCovbat` with the default share of 0.95 beside `harmonize` on the same data, for a
 * regional table (V = 150: the 150 x 150 correlation matrix is decomposed) and a wide one
 * (V = 20,000: the 200 x 200 Gram matrix). Prints figures; asserts nothing.
 */
import { harmonize, harmonizeCovbat } from '../src/index.js';
// The test helpers' generator, by path: the bench runs compiled JavaScript, and @combat/test-support is TypeScript.
import { syntheticData } from '../../../test-support/src/synthetic.js';

const RUNS = 5;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function time(run: () => unknown): number {
  run(); // warm-up
  const seconds: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const start = performance.now();
    run();
    seconds.push((performance.now() - start) / 1000);
  }
  return median(seconds);
}

/** Times each scenario and prints a line for it. */
export function benchCovbat(): void {
  for (const features of [150, 20_000]) {
    const { matrix, covariates } = syntheticData({ seed: 2026, batchSizes: [50, 50, 50, 50], features });
    const combat = time(() => harmonize(matrix, covariates));
    let components = 0;
    const covbat = time(() => (components = harmonizeCovbat(matrix, covariates).components));
    const path = features > matrix.samples ? 'Gram 200 x 200' : `correlation ${features} x ${features}`;
    console.log(
      `covbat          n=${matrix.samples} V=${String(features).padStart(7)}  median ${covbat.toFixed(3)} s (${components} components, ${path}); harmonize alone ${combat.toFixed(3)} s  (${RUNS} runs each)`,
    );
  }
}
