/**
 * A worker's warm-up: before it answers its first task, it runs each task of tasks.ts on a small
 * synthetic problem, in the order and with the kinds of arguments {@link CombatThreads} gives
 * them (float64 data, everything in shared memory), so that the JavaScript engine has compiled
 * core's hot loops (accumulating, the regression and the screen, the shrinkage and the parametric
 * solver, the non-parametric kernel, adjusting, CovBat's adjustment) to optimized code before a
 * caller's data arrive.
 * Its results are thrown away; it costs each worker about 0.2-0.3 s of processor time as the
 * pool starts, most of it compiling (see the README).
 */
import { seededRandom } from '@combat/base/internal';
import type { CombatOptions, Covariates, DataMatrix } from '@combat/core';
import { allocateModel, assembleModel, estimateFitPriors, findKept, fitCovbat, iteratesBatch, planFit, prepareHarmonize } from '@combat/core/internal';
import { allocateShared, shareArray, shareModel } from './shared.js';
import { TASKS } from './tasks.js';
import { unwrap, type Outcome } from './transport.js';

/** The problems of the warm-up: a feature count with each mode (the non-parametric kernel is quadratic in features). */
const PROBLEMS: [number, CombatOptions][] = [
  [2000, { parametric: true }],
  [150, { parametric: false }],
];

/**
 * How many times each problem is run: the first run compiles the loops while they run (on-stack
 * replacement), the second compiles each function whole, with the type feedback of every line.
 * After one run, a caller's first task still met code compiled without feedback for the lines
 * after a loop, and left it (`node --trace-deopt`); after two it does not.
 */
const ROUNDS = 2;

/** Samples of the warm-up's problems: 4 batches of 10. */
const SAMPLES = 40;

/** Runs every task of a fit over one range, on each problem of {@link PROBLEMS}, {@link ROUNDS} times. */
export function warmUp(): void {
  const problems = PROBLEMS.map(([features, options]) => [syntheticProblem(features), options] as const);
  for (let round = 0; round < ROUNDS; round++) for (const [problem, options] of problems) fitAndAdjust(problem, options);
}

/** A fit and the adjustment of its data as {@link CombatThreads.harmonize} runs them, over one range of every feature. */
function fitAndAdjust({ matrix, covariates }: { matrix: DataMatrix; covariates: Covariates }, options: CombatOptions): void {
  const V = matrix.features;
  const { coding, rows, fitOptions } = prepareHarmonize(matrix, covariates, options);
  const statistics = runTask('accumulate', coding, matrix, rows, 0, V);
  const plan = planFit(statistics, fitOptions);
  const arrays = allocateModel(plan, V, allocateShared);
  const fit = runTask('fit', plan, statistics, 0, arrays);
  const kept = shareArray(findKept(fit.screen));
  const priors = estimateFitPriors(plan, fit.screen, kept, arrays);
  runTask('shrink', plan, fit, kept, 0, kept.length, priors, arrays);
  const steps = plan.labels.map((_, b) => (iteratesBatch(plan, b) ? { done: 0, limit: plan.maxIterations, untilConverged: true } : null));
  runTask('iterate', fit, kept, 0, kept.length, priors, arrays, steps);
  const out = new Float64Array(allocateShared(matrix.samples * V * 8));
  const model = assembleModel(plan, arrays, priors);
  runTask('finishAdjust', plan, fit, arrays, model, matrix, rows, out, V);
  runTask('checkAdjust', model, matrix, rows, out, 0, V);
  // A CovBat model of the adjusted values, applied as a caller's is: a range of samples, every feature.
  const { model: covbat } = fitCovbat(model, out, rows, { components: 4 });
  runTask('adjustSamples', shareModel(covbat), matrix, rows, new Float64Array(allocateShared(matrix.samples * V * 8)), 0, matrix.samples);
}

/**
 * A task run as a worker runs a caller's: on its arguments as a message delivers them (cloned, so
 * their objects are built as the engine builds a message's, and optimized code expects those;
 * shared memory stays shared).
 */
function runTask<K extends keyof typeof TASKS>(name: K, ...args: Parameters<(typeof TASKS)[K]>): ReturnType<(typeof TASKS)[K]> extends Outcome<infer T> ? T : never {
  return unwrap((TASKS[name] as (...given: unknown[]) => Outcome<unknown>)(...structuredClone(args))) as never;
}

/** 4 batches of 10 samples, sex and age, with `features` features of batch effects and noise (base's seeded generator), in shared memory. */
function syntheticProblem(features: number): { matrix: DataMatrix; covariates: Covariates } {
  const uniform = seededRandom(1);
  const batch = Array.from({ length: SAMPLES }, (_, i) => `b${Math.floor((i * 4) / SAMPLES)}`);
  const sex = Array.from({ length: SAMPLES }, (_, i) => (i % 2 === 0 ? 'F' : 'M'));
  const age = Array.from({ length: SAMPLES }, (_, i) => 20 + ((i * 37) % 50));
  const shifts = new Float64Array(4 * features);
  for (let k = 0; k < shifts.length; k++) shifts[k] = uniform();
  const data = new Float64Array(allocateShared(SAMPLES * features * 8));
  for (let i = 0; i < SAMPLES; i++) {
    const b = Math.floor((i * 4) / SAMPLES);
    for (let v = 0; v < features; v++) data[i * features + v] = 10 + (v % 7) + (shifts[b * features + v] as number) + 0.01 * (age[i] as number) + (1 + b / 4) * uniform();
  }
  return { matrix: { data, samples: SAMPLES, features }, covariates: { batch, categorical: { sex }, continuous: { age } } };
}
