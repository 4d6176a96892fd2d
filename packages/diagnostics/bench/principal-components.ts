/**
 * `pnpm bench:pca` for @combat/diagnostics: the eigendecompositions behind `principalComponents`
 * (2 components of all n samples) and `batchPredictability` (10 components of one fold's training
 * samples, 4/5 of them), by the block Krylov method (`leadingEigenpairs`, what the package uses)
 * and by the full decomposition it replaced (`fullEigenpairs`), on synthetic data of n = 200, 1,000
 * and 3,000 samples in 4 batches x V = 100 and 20,000 features; the Gram matrix's own time
 * beside; and, with fewer features than samples, `trainComponents` itself, which then decomposes
 * the features' covariance instead (forming it included). Each size runs in a child process of its own. The full decomposition is timed up to
 * n = 1,000 (at 3,000 it takes minutes per call; `node principal-components.js full` times it
 * there too). Prints figures and the machine's load average; asserts nothing.
 */
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { fullEigenpairs, leadingEigenpairs, type Eigenpairs } from '../src/leading-eigenpairs.js';
import { sampleGram, trainComponents, type SampleGram } from '../src/sample-gram.js';
// The test helpers' generator, by path: the bench runs compiled JavaScript, and @combat/test-support is TypeScript.
import { syntheticData } from '../../../test-support/src/synthetic.js';

const SAMPLES = [200, 1_000, 3_000];
const FEATURES = [100, 20_000];

/** The block of `rows` of the Gram matrix centred on their mean (as trainComponents forms it). */
function centred(standardized: SampleGram, rows: readonly number[]): Float64Array {
  const n = standardized.samples;
  const gram = standardized.gram();
  const m = rows.length;
  const means = Float64Array.from(rows, (j) => rows.reduce((sum, l) => sum + (gram[j * n + l] as number), 0) / m);
  const grand = means.reduce((a, b) => a + b, 0) / m;
  const block = new Float64Array(m * m);
  rows.forEach((j, r) => rows.forEach((l, c) => (block[r * m + c] = (gram[j * n + l] as number) - (means[r] as number) - (means[c] as number) + grand)));
  return block;
}

function timed(run: () => Eigenpairs): { seconds: number; pairs: Eigenpairs } {
  const start = performance.now();
  const pairs = run();
  return { seconds: (performance.now() - start) / 1000, pairs };
}

/** Runs both methods once on a small matrix, so neither is timed while it is compiled. */
function warmUp(): void {
  const gram = sampleGram(syntheticData({ seed: 1, batchSizes: [75, 75, 75, 75], features: 50 }).matrix);
  const rows = [...Array(300).keys()];
  leadingEigenpairs(centred(gram, rows), 300, 10);
  fullEigenpairs(centred(gram, rows), 300, 10);
}

function benchSize(n: number, features: number, full: boolean): void {
  warmUp();
  const quarter = n / 4;
  const { matrix } = syntheticData({ seed: 2026, batchSizes: [quarter, quarter, quarter, quarter], features });
  let start = performance.now();
  const gram = sampleGram(matrix);
  gram.gram();
  const gramSeconds = (performance.now() - start) / 1000;
  console.log(`n=${n}, V=${features}: Gram matrix ${gramSeconds.toFixed(2)} s`);
  const all = [...Array(n).keys()];
  const fold = all.filter((i) => i % 5 !== 0);
  for (const [name, rows, count] of [['principalComponents (2 of all samples)', all, 2], ['one fold of batchPredictability (10 of 4/5)', fold, 10]] as const) {
    start = performance.now();
    const block = centred(gram, rows);
    const m = rows.length;
    const centring = (performance.now() - start) / 1000;
    const fast = timed(() => leadingEigenpairs(block, m, count));
    let line = `  ${name.padEnd(46)} m=${m}: centring ${centring.toFixed(2)} s; leading ${fast.seconds.toFixed(2)} s (${fast.pairs.method})`;
    if (full || m <= 1_000) {
      const old = timed(() => fullEigenpairs(block, m, count));
      const difference = Math.max(...fast.pairs.values.map((value, c) => Math.abs(value - (old.pairs.values[c] as number)))) / (old.pairs.values[0] as number);
      line += `; full ${old.seconds.toFixed(2)} s; eigenvalues' largest difference ${difference.toExponential(1)} of the largest`;
    }
    if (gram.standardized !== undefined && gram.standardized.width < m) {
      start = performance.now();
      trainComponents(gram, rows, count);
      line += `; trainComponents on the features' covariance ${((performance.now() - start) / 1000).toFixed(2)} s`;
    }
    console.log(line);
  }
}

const full = process.argv.includes('full');
const [samples, features] = process.argv.slice(2).filter((argument) => argument !== 'full');
if (samples !== undefined) benchSize(Number(samples), Number(features), full);
else {
  console.log(`@combat/diagnostics principal components benchmark, Node ${process.version}`);
  for (const n of SAMPLES) {
    for (const V of FEATURES) {
      process.stdout.write(execFileSync(process.execPath, [fileURLToPath(import.meta.url), String(n), String(V), ...(full ? ['full'] : [])], { encoding: 'utf8', maxBuffer: 1 << 24 }));
    }
  }
  console.log(`load average (1, 5, 15 min): ${loadavg().map((x) => x.toFixed(1)).join(', ')}`);
}
