/**
 * `pnpm bench` for @combat/threads: one harmonize call on data the process has not seen (after a
 * warm-up on 20 samples), each in a fresh process, with 1 thread and with every available core,
 * beside neuroCombat (Python) on the same matrix when it is installed: set NEUROCOMBAT_PATH to a
 * folder holding its `neuroCombat` package (run by /usr/bin/python3 with numpy and pandas, or by $PYTHON).
 * The call is timed from its start to its result. Not timed: constructing the pool (its workers
 * start and warm up, see the README), the 20-sample call on it, which waits for them, and making
 * the data; printed beside it as `pool start and 20-sample call`.
 * With every core, also where the time goes: each phase's tasks on the workers (accumulating,
 * fitting the regression per range, shrinking, the parametric solver's iterations, finishing and
 * adjusting), timed from the calling thread, and the rest on the calling thread (checks, priors,
 * the model and its warnings). `pnpm bench 7` runs each child 7 times and prints medians.
 * At the start and at the end, how much faster every core's worker runs a loop of arithmetic split
 * between them than one worker runs all of it: what the machine gives threads at the time (other
 * jobs lower it; near 1, no speed-up from threads can show). Prints figures; asserts nothing.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CombatOptions } from '@combat/core';
import { CombatThreads } from '../src/index.js';
// The test helpers' generator, by path: the bench runs compiled JavaScript, and @combat/test-support is TypeScript.
import { syntheticData } from '../../../test-support/src/synthetic.js';

interface Scenario {
  readonly name: string;
  readonly features: number;
  readonly options: CombatOptions;
}

const SCENARIOS: Scenario[] = [
  { name: 'parametric', features: 100_000, options: { parametric: true } },
  { name: 'non-parametric', features: 2_000, options: { parametric: false } },
];
const BATCH_SIZES = [50, 50, 50, 50];

/** Milliseconds per phase of the timed call: the tasks of each method of the workers (see worker.ts). */
const phases = new Map<string, number>();
let timing = false;
const prototype = CombatThreads.prototype as unknown as { runEach: (...args: unknown[]) => Promise<unknown> };
const runEach = prototype.runEach;
prototype.runEach = async function (this: unknown, ...args: unknown[]) {
  const start = performance.now();
  try {
    return await runEach.apply(this, args);
  } finally {
    if (timing) phases.set(args[1] as string, (phases.get(args[1] as string) ?? 0) + performance.now() - start);
  }
};

/** In the child: a warm-up on 20 samples, then one timed harmonize call on data in shared memory. */
async function measure(scenario: Scenario, threads: number): Promise<void> {
  const started = performance.now();
  const pool = new CombatThreads({ threads });
  const warm = syntheticData({ seed: 1, batchSizes: [5, 5, 5, 5], features: 50 });
  await pool.harmonize(warm.matrix, warm.covariates, scenario.options);
  // Not timed with the call: the pool's start (its workers' own warm-up) and the warm-up call.
  const ready = (performance.now() - started) / 1000;
  const { matrix, covariates } = syntheticData({ seed: 2026, batchSizes: BATCH_SIZES, features: scenario.features });
  // As a reader that fills shared memory would hand it over (the CLI's tables do).
  const data = new Float64Array(new SharedArrayBuffer(matrix.data.byteLength));
  data.set(matrix.data);
  timing = true;
  const cpu = process.cpuUsage();
  const start = performance.now();
  await pool.harmonize({ ...matrix, data }, covariates, scenario.options);
  const seconds = (performance.now() - start) / 1000;
  const { user, system } = process.cpuUsage(cpu);
  timing = false;
  await pool.close();
  console.log(JSON.stringify({ seconds, cpu: (user + system) / 1e6, ready, phases: Object.fromEntries(phases) }));
}

interface Measured {
  readonly seconds: number;
  /** Processor seconds of the process (every thread): less sensitive to other jobs than the time. */
  readonly cpu: number;
  /** Seconds from constructing the pool to the end of the 20-sample call (not timed with the call). */
  readonly ready: number;
  readonly phases: Record<string, number>;
}

/** The median of `runs` fresh children (the one of median time, with its phases). */
function child(scenario: Scenario, threads: number, runs: number): Measured {
  const found: Measured[] = [];
  for (let k = 0; k < runs; k++) {
    const run = spawnSync(process.execPath, [fileURLToPath(import.meta.url), 'child', scenario.name, String(threads)], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`bench child failed: ${run.stderr}`);
    found.push(JSON.parse(run.stdout.trim().split('\n').pop() as string) as Measured);
  }
  return found.sort((a, b) => a.seconds - b.seconds)[Math.floor(runs / 2)] as Measured;
}

/** Where the time of a call went, in milliseconds: each phase on the workers, then the calling thread's own share. */
function describePhases({ seconds, phases: spent }: Measured): string {
  const onWorkers = Object.values(spent).reduce((total, ms) => total + ms, 0);
  return `${Object.entries(spent)
    .map(([phase, ms]) => `${phase} ${ms.toFixed(0)}`)
    .join(', ')}, calling thread ${(seconds * 1000 - onWorkers).toFixed(0)} (ms)`;
}

/** neuroCombat's seconds on the scenario's matrix, or why it was not run. */
function peer(scenario: Scenario): number | string {
  const folder = process.env.NEUROCOMBAT_PATH;
  if (folder === undefined) return 'not run: set NEUROCOMBAT_PATH to a folder holding the neuroCombat package';
  const { matrix, covariates } = syntheticData({ seed: 2026, batchSizes: BATCH_SIZES, features: scenario.features });
  const dir = join(tmpdir(), 'combat-bench-threads');
  mkdirSync(dir, { recursive: true });
  const { samples, features } = matrix;
  const transposed = new Float64Array(samples * features);
  for (let i = 0; i < samples; i++) for (let v = 0; v < features; v++) transposed[v * samples + i] = matrix.data[i * features + v] as number;
  const dataPath = join(dir, `${scenario.name}.f64`);
  const covariatesPath = join(dir, `${scenario.name}.csv`);
  writeFileSync(dataPath, new Uint8Array(transposed.buffer));
  writeFileSync(covariatesPath, ['batch,sex,age', ...covariates.batch.map((b, i) => `${b},${covariates.categorical.sex[i]},${covariates.continuous.age[i]}`)].join('\n'));
  const script = fileURLToPath(new URL('../../../../bench/peers/neurocombat.py', import.meta.url));
  const mode = scenario.options.parametric === false ? 'non-parametric' : 'parametric';
  const run = spawnSync(process.env.PYTHON ?? '/usr/bin/python3', [script, dataPath, covariatesPath, String(samples), String(features), mode], { encoding: 'utf8', env: { ...process.env, PYTHONPATH: folder } });
  if (run.status !== 0) return `failed: ${run.stderr.trim().split('\n').pop()}`;
  return (JSON.parse(run.stdout.trim().split('\n').pop() as string) as { seconds: number }).seconds;
}

/**
 * How much faster `threads` workers run a loop of pure arithmetic split between them than one
 * worker runs all of it (median of 3): what the machine gives this process's threads now (about
 * `threads` when they have a core each; near 1 when other jobs take the cores).
 */
async function measureParallelism(threads: number): Promise<number> {
  const code = `require('node:worker_threads').parentPort.on('message', (n) => { let s = 0; for (let i = 0; i < n; i++) s += Math.sqrt(i); require('node:worker_threads').parentPort.postMessage(s); });`;
  const workers = Array.from({ length: threads }, () => new Worker(code, { eval: true }));
  const ask = (worker: Worker, n: number) => new Promise((resolve) => (worker.once('message', resolve), worker.postMessage(n)));
  const time = async (run: () => Promise<unknown>) => {
    const start = performance.now();
    await run();
    return performance.now() - start;
  };
  const N = 1e8;
  await Promise.all(workers.map((worker) => ask(worker, 1e6)));
  const ratios: number[] = [];
  for (let k = 0; k < 3; k++) {
    const one = await time(() => ask(workers[0] as Worker, N));
    ratios.push(one / (await time(() => Promise.all(workers.map((worker) => ask(worker, N / threads))))));
  }
  await Promise.all(workers.map((worker) => worker.terminate()));
  return ratios.sort((a, b) => a - b)[1] as number;
}

if (process.argv[2] === 'child') {
  await measure(SCENARIOS.find((s) => s.name === process.argv[3]) as Scenario, Number(process.argv[4]));
} else {
  const cores = availableParallelism();
  const runs = Number(process.argv[2] ?? 1);
  console.log(`@combat/threads: one cold harmonize call, n = 200 (4 batches of 50), age + sex; ${cores} cores available; median of ${runs} run(s); load average ${loadavg()[0]!.toFixed(2)}`);
  console.log(`arithmetic split across ${cores} workers: ${(await measureParallelism(cores)).toFixed(2)}x one worker's speed (what the machine gives ${cores} threads now)`);
  for (const scenario of SCENARIOS) {
    const one = child(scenario, 1, runs);
    const all = child(scenario, cores, runs);
    const reference = peer(scenario);
    const versus =
      typeof reference === 'number' ? `neuroCombat ${reference.toFixed(2)} s: ${(reference / one.seconds).toFixed(1)}x with 1 thread, ${(reference / all.seconds).toFixed(1)}x with ${cores}` : `neuroCombat ${reference}`;
    console.log(
      `${scenario.name.padEnd(15)} V=${String(scenario.features).padStart(7)}  1 thread ${one.seconds.toFixed(3)} s  ${cores} threads ${all.seconds.toFixed(3)} s (${(one.seconds / all.seconds).toFixed(2)}x)  ${versus}`,
    );
    console.log(`${''.padEnd(25)}processor time (all threads) ${one.cpu.toFixed(3)} s with 1 thread, ${all.cpu.toFixed(3)} s with ${cores}`);
    console.log(`${''.padEnd(25)}pool start and 20-sample call (not timed above) ${one.ready.toFixed(3)} s with 1 thread, ${all.ready.toFixed(3)} s with ${cores}`);
    console.log(`${''.padEnd(25)}1 thread: ${describePhases(one)}`);
    console.log(`${''.padEnd(25)}${cores} threads: ${describePhases(all)}`);
  }
  console.log(`load average at the end ${loadavg()[0]!.toFixed(2)}; arithmetic split across ${cores} workers: ${(await measureParallelism(cores)).toFixed(2)}x one worker's speed`);
}
