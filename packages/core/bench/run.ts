/**
 * `pnpm bench` for @combat/core: the README's scenarios (n = 200 samples in 4 batches of 50, age
 * and sex as covariates), timed in-process, and the peak memory of a harmonize call measured in a
 * child process. Prints figures; asserts nothing.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { harmonize, type CombatOptions } from '../src/index.js';
import { benchCovbat } from './covbat.js';
import { benchLongitudinal } from './longitudinal.js';
// The test helpers' generator, by path: the bench runs compiled JavaScript, and @combat/test-support is TypeScript.
import { syntheticData } from '../../../test-support/src/synthetic.js';

interface Scenario {
  name: string;
  features: number;
  options: CombatOptions;
  runs: number;
  /** Seconds measured for the same job by the references (measured on the same machine class). */
  references: Record<string, number>;
}

const SCENARIOS: Scenario[] = [
  { name: 'parametric', features: 100_000, options: { parametric: true }, runs: 7, references: { neuroCombat: 9.1, 'sva::ComBat': 12.6 } },
  { name: 'non-parametric', features: 5_000, options: { parametric: false }, runs: 5, references: { neuroCombat: 93, 'sva::ComBat': 367 } },
];
const BATCH_SIZES = [50, 50, 50, 50];

function dataFor(features: number) {
  return syntheticData({ seed: 2026, batchSizes: BATCH_SIZES, features });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function timeScenario(scenario: Scenario): void {
  const { matrix, covariates } = dataFor(scenario.features);
  harmonize(matrix, covariates, scenario.options); // warm-up
  const seconds: number[] = [];
  for (let r = 0; r < scenario.runs; r++) {
    const start = performance.now();
    harmonize(matrix, covariates, scenario.options);
    seconds.push((performance.now() - start) / 1000);
  }
  const m = median(seconds);
  const speedups = Object.entries(scenario.references).map(([name, s]) => `${(s / m).toFixed(0)}x ${name} (${s} s)`);
  console.log(
    `${scenario.name.padEnd(15)} n=${matrix.samples} V=${String(scenario.features).padStart(7)}  median ${m.toFixed(3)} s  min ${Math.min(...seconds).toFixed(3)} s  (${scenario.runs} runs)  faster than ${speedups.join(', ')}`,
  );
}

/** In the child: peak RSS of one harmonize call above the RSS with the input in memory. */
function measureMemory(features: number): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  const { matrix, covariates } = dataFor(features);
  gc?.();
  const before = process.memoryUsage().rss;
  harmonize(matrix, covariates, { parametric: true });
  const peak = process.resourceUsage().maxRSS * 1024;
  console.log(JSON.stringify({ input: matrix.data.byteLength, before, peak }));
}

function reportMemory(features: number): void {
  const script = fileURLToPath(import.meta.url);
  const child = spawnSync(process.execPath, [...process.execArgv, '--expose-gc', script, '--memory', String(features)], { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`memory child failed: ${child.stderr}`);
  const { input, before, peak } = JSON.parse(child.stdout.trim().split('\n').pop() as string) as Record<string, number>;
  const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
  const extra = peak - before;
  console.log(
    `memory          n=200 V=${features}  input ${mb(input)}; harmonize adds ${mb(extra)} at peak = ${(extra / input).toFixed(2)}x the input ` +
      `(the output is 1.00x; working memory ${((extra - input) / input).toFixed(2)}x); peak RSS ${mb(peak)}`,
  );
}

const memoryArg = process.argv.indexOf('--memory');
if (memoryArg >= 0) {
  measureMemory(Number(process.argv[memoryArg + 1]));
} else {
  console.log(`@combat/core benchmark, Node ${process.version}, ${BATCH_SIZES.length} batches of ${BATCH_SIZES[0]}, covariates age and sex`);
  for (const scenario of SCENARIOS) timeScenario(scenario);
  reportMemory(100_000);
  benchLongitudinal();
  benchCovbat();
}
