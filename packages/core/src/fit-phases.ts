/**
 * The phases of finalizing a model (what {@link finalizeModel} runs), so that the work of each
 * feature can be done by range of features, on several threads, with the same arithmetic:
 *
 * 1. {@link planFit}: what needs the design alone (checks, X'X, the first warnings);
 * 2. {@link fitRange}, per range: the regression, the screen and the batch estimates;
 * 3. {@link estimateFitPriors}, over every kept feature: the priors (or TooFewFeaturesError);
 * 4. {@link shrinkRange}, per range, then for the parametric solver {@link iterateRange} until
 *    the largest change of every range is small;
 * 5. {@link finishRange}, per range: the last screen, and NaN for what is not adjusted;
 * 6. {@link assembleModel}: the model (its arrays, which a range's adjustment can read as soon as
 *    that range is finished), and {@link fitWarnings}: the warnings, in feature order.
 *
 * Model values are written into {@link ModelArrays} of every feature (shared memory for workers);
 * a range's own values ({@link RangeFit}) are indexed from its first feature.
 */
import { allocateLocal, type Allocate } from './allocate.js';
import { estimateBatchPriors, isIterative, shrinkKept } from './batch-shrinkage.js';
import { checkDesignRank } from './confounding.js';
import { buildCrossProduct } from './design-matrix.js';
import type { DesignCoding } from './design.js';
import { iterateParametric, type RangeSums } from './empirical-bayes.js';
import { TooFewFeaturesError } from './errors.js';
import { checkFitBatches } from './levels.js';
import type { BatchEffects, CombatModel } from './model.js';
import { screenEstimates, screenFeatures, type Screen } from './screening.js';
import type { CombatStatistics } from './statistics.js';
import { invert, standardize, sumDesign, type DesignSums, type Standardized } from './standardize.js';
import type { CombatOptions, CombatWarning } from './types.js';
import { buildManyLevelsWarnings, buildUnadjustedWarning, describeUnadjusted } from './warnings.js';

/** What finalizing takes from the design alone, the same for every range of features. */
export interface FitPlan {
  readonly coding: DesignCoding;
  readonly labels: readonly string[];
  readonly samples: readonly number[];
  readonly refBatch: string | null;
  readonly ref: number | null;
  readonly eb: boolean;
  readonly parametric: boolean;
  readonly meanOnly: boolean;
  readonly maxIterations: number;
  readonly design: DesignSums;
  readonly xtxInverse: Float64Array;
  /** The warnings of the design (a batch of one sample, many levels). */
  readonly warnings: readonly CombatWarning[];
}

/**
 * The plan of a fit from statistics of any range of its features (options checked): the batches
 * (checked), mean-only when a batch has one sample, the design's rank (checked) and X'X inverted.
 */
export function planFit(statistics: CombatStatistics, options: CombatOptions): FitPlan {
  const { coding } = statistics;
  const refBatch = options.refBatch ?? null;
  const labels = checkFitBatches(
    statistics.batches.map((batch) => batch.batch),
    refBatch,
  );
  const B = labels.length;
  const ref = refBatch === null ? null : labels.indexOf(refBatch);
  const warnings: CombatWarning[] = [];
  const singletons = statistics.batches.filter((batch) => batch.samples === 1).map((batch) => batch.batch);
  if (singletons.length > 0) {
    warnings.push({
      code: 'singleton-batch',
      batches: singletons,
      message: `batch ${singletons.join(', ')} has a single sample: the whole fit switched to mean-only (as sva does)`,
    });
  }
  const design = sumDesign(statistics);
  warnings.push(...buildManyLevelsWarnings(coding, design.count.reduce((a, n) => a + n, 0)));
  checkDesignRank(coding, labels, design);
  const q = coding.columns.length;
  const xtx = buildCrossProduct(B, q, ref, design.count, design.covariateSum, design.covariateCross);
  return {
    coding,
    labels,
    samples: statistics.batches.map((batch) => batch.samples),
    refBatch,
    ref,
    eb: options.eb ?? true,
    parametric: options.parametric ?? true,
    meanOnly: (options.meanOnly ?? false) || singletons.length > 0,
    maxIterations: options.maxIterations ?? 1000,
    design,
    xtxInverse: invert(xtx, B + q),
    warnings,
  };
}

/** A batch's arrays in {@link ModelArrays}. */
export type BatchArrays = Pick<BatchEffects, 'gammaHat' | 'deltaHat' | 'gammaStar' | 'deltaStar' | 'adjusted'>;

/** The arrays of a model of `V` features (see {@link CombatModel}), written range by range. */
export interface ModelArrays {
  readonly beta: Float64Array;
  readonly grandMean: Float64Array;
  readonly varPooled: Float64Array;
  readonly adjusted: Uint8Array;
  readonly batches: readonly BatchArrays[];
}

/** Zeroed {@link ModelArrays} of `features` features in memory from `allocate`. */
export function allocateModel(plan: FitPlan, features: number, allocate: Allocate = allocateLocal): ModelArrays {
  const values = (count: number) => new Float64Array(allocate(count * 8));
  return {
    beta: values(plan.coding.columns.length * features),
    grandMean: values(features),
    varPooled: values(features),
    adjusted: new Uint8Array(allocate(features)),
    batches: plan.labels.map(() => ({ gammaHat: values(features), deltaHat: values(features), gammaStar: values(features), deltaStar: values(features), adjusted: new Uint8Array(allocate(features)) })),
  };
}

/** A range's part of a fit: its first feature, its standardized sums and its screen (indexed from `from`). */
export interface RangeFit {
  readonly from: number;
  readonly st: Standardized;
  readonly screen: Screen;
}

/**
 * The regression, the screen and the batch estimates of the features of `statistics` (a range
 * of the model's, the first being feature `from`): writes their gammaHat and deltaHat, grand mean,
 * covariate coefficients and pooled variance into `model`. `allocate` gives the range's memory.
 */
export function fitRange(plan: FitPlan, statistics: CombatStatistics, from: number, model: ModelArrays, allocate: Allocate = allocateLocal): RangeFit {
  const st = standardize(statistics, plan.design, plan.ref, plan.xtxInverse, allocate);
  const screen = screenFeatures(statistics, st, plan.meanOnly, allocate);
  const Vr = statistics.features;
  const V = model.grandMean.length;
  const B = plan.labels.length;
  const { ref, meanOnly } = plan;
  // Batch b's gammaHat (least squares of s on the batch columns) and deltaHat (sample variance of s).
  model.batches.forEach(({ gammaHat, deltaHat }, b) => {
    for (let v = 0; v < Vr; v++) {
      if (screen.cause[v] !== 0) continue;
      const at = b * Vr + v;
      const m = st.finiteCount[at] as number;
      const s1 = st.s1[at] as number;
      const refMean = ref === null || ref === b ? 0 : (st.s1[ref * Vr + v] as number) / (st.finiteCount[ref * Vr + v] as number);
      gammaHat[from + v] = s1 / m - refMean;
      deltaHat[from + v] = meanOnly ? 1 : ((st.s2[at] as number) - (s1 * s1) / m) / (m - 1);
    }
  });
  // The covariate part: each feature's origin added back to the grand mean; the covariate rows of beta.
  for (let v = 0; v < Vr; v++) {
    model.grandMean[from + v] = (st.alpha[v] as number) + (st.origin[v] as number);
    model.varPooled[from + v] = st.varPooled[v] as number;
  }
  for (let k = 0; k < plan.coding.columns.length; k++) model.beta.set(st.beta.subarray((B + k) * Vr, (B + k + 1) * Vr), k * V + from);
  return { from, st, screen };
}

/** The screens of consecutive ranges (in order) as the screen of all their features. */
export function joinScreens(screens: readonly Screen[]): Screen {
  if (screens.length === 1) return screens[0] as Screen;
  const V = screens.reduce((total, screen) => total + screen.cause.length, 0);
  const joined: Screen = { cause: new Uint8Array(V), batch: new Int32Array(V) };
  let at = 0;
  for (const screen of screens) {
    joined.cause.set(screen.cause, at);
    joined.batch.set(screen.batch, at);
    at += screen.cause.length;
  }
  return joined;
}

/** The features a screen keeps (its cause is 0), ascending. */
export function findKept(screen: Screen): Int32Array {
  const flags = screen.cause;
  let count = 0;
  for (let v = 0; v < flags.length; v++) if (flags[v] === 0) count++;
  const indices = new Int32Array(count);
  for (let v = 0, i = 0; v < flags.length; v++) if (flags[v] === 0) indices[i++] = v;
  return indices;
}

/** A batch's priors over every kept feature: see {@link estimateBatchPriors}. */
export type BatchPriors = ReturnType<typeof estimateBatchPriors>;

/**
 * Each batch's priors over the `kept` features of the whole `screen` (after {@link fitRange} of
 * every range).
 *
 * @throws {@link TooFewFeaturesError} when empirical Bayes has fewer than two kept features.
 */
export function estimateFitPriors(plan: FitPlan, screen: Screen, kept: Int32Array, model: ModelArrays): BatchPriors[] {
  if (plan.eb && kept.length < 2) {
    const unadjusted = buildUnadjustedWarning(screen, plan.labels);
    throw new TooFewFeaturesError(
      `empirical Bayes needs at least 2 adjustable features to estimate its priors; found ${kept.length}${unadjusted === null ? '' : ` (left unadjusted: ${describeUnadjusted(unadjusted.features, unadjusted.reasons)})`}`,
      // Without empirical Bayes a single adjustable feature is adjusted; with none, nothing would be.
      kept.length === 1 ? { remedy: { eb: false } } : {},
    );
  }
  return model.batches.map((batch) => estimateBatchPriors(kept, batch.gammaHat, batch.deltaHat, plan.meanOnly));
}

/** How batch b is shrunk (see {@link shrinkKept}). */
function shrinkMode(plan: FitPlan, b: number) {
  return { eb: plan.eb, parametric: plan.parametric, meanOnly: plan.meanOnly, reference: b === plan.ref };
}

/** Whether batch b is shrunk by the parametric solver's iterations ({@link iterateRange}). */
export function iteratesBatch(plan: FitPlan, b: number): boolean {
  return isIterative(shrinkMode(plan, b));
}

/** Batch b's standardized sums of a range. */
function rangeSums(fit: RangeFit, b: number): RangeSums {
  const Vr = fit.screen.cause.length;
  const row = (array: Float64Array) => array.subarray(b * Vr, (b + 1) * Vr);
  return { from: fit.from, finiteCount: row(fit.st.finiteCount), s1: row(fit.st.s1), s2: row(fit.st.s2) };
}

/**
 * Each batch's gammaStar and deltaStar for a range's kept features, which are `kept[first]` to
 * `kept[last - 1]` of every kept feature (see {@link shrinkKept}): all of it but the parametric
 * solver's iterations.
 */
export function shrinkRange(plan: FitPlan, fit: RangeFit, kept: Int32Array, first: number, last: number, priors: readonly BatchPriors[], model: ModelArrays): void {
  model.batches.forEach((batch, b) => {
    const { estimated } = priors[b] as BatchPriors;
    shrinkKept(kept, first, last, rangeSums(fit, b), batch.gammaHat, batch.deltaHat, estimated, shrinkMode(plan, b), batch.gammaStar, batch.deltaStar);
  });
}

/** Iterations of the parametric solver for one batch: from `done` to at most `limit`, stopping at convergence when `untilConverged`. */
export interface Iterations {
  readonly done: number;
  readonly limit: number;
  readonly untilConverged: boolean;
}

/**
 * The parametric solver's iterations for a range's kept features (as {@link shrinkRange}), per
 * batch as `steps` says (null: none); returns each batch's largest change per iteration run.
 */
export function iterateRange(
  fit: RangeFit,
  kept: Int32Array,
  first: number,
  last: number,
  priors: readonly BatchPriors[],
  model: ModelArrays,
  steps: readonly (Iterations | null)[],
): number[][] {
  return model.batches.map((batch, b) => {
    const step = steps[b];
    if (step === null || step === undefined) return [];
    const { estimated, pointMass } = priors[b] as BatchPriors;
    return iterateParametric(kept, first, last, rangeSums(fit, b), batch.gammaHat, estimated, pointMass, batch.gammaStar, batch.deltaStar, step.done, step.limit, step.untilConverged);
  });
}

/**
 * The end of a range: the features whose estimates are not usable are screened out (see
 * {@link screenEstimates}); the others marked adjusted; the values of those not adjusted NaN.
 */
export function finishRange(plan: FitPlan, fit: RangeFit, model: ModelArrays): void {
  const { from, screen } = fit;
  screenEstimates(model, model.batches, screen, from);
  const V = model.grandMean.length;
  const q = plan.coding.columns.length;
  for (let local = 0; local < screen.cause.length; local++) {
    const v = from + local;
    if (screen.cause[local] === 0) {
      model.adjusted[v] = 1;
      for (const batch of model.batches) batch.adjusted[v] = 1;
      continue;
    }
    model.varPooled[v] = NaN;
    model.grandMean[v] = NaN;
    for (let k = 0; k < q; k++) model.beta[k * V + v] = NaN;
    for (const batch of model.batches) for (const a of [batch.gammaHat, batch.deltaHat, batch.gammaStar, batch.deltaStar]) a[v] = NaN;
  }
}

/** The parametric solver's outcome for a batch: whether the largest change fell to 1e-4, and the last one. */
export interface Outcome {
  readonly converged: boolean;
  readonly change: number;
}

/**
 * The warnings of a finished fit: the design's, then each batch whose solver did not converge
 * (`outcomes`, in batch order), then the features left unadjusted (the whole `screen`, as
 * {@link finishRange} of every range left it).
 */
export function fitWarnings(plan: FitPlan, screen: Screen, outcomes: readonly Outcome[]): CombatWarning[] {
  const warnings = [...plan.warnings];
  outcomes.forEach(({ converged, change }, b) => {
    if (converged) return;
    const batch = plan.labels[b] as string;
    warnings.push({
      code: 'not-converged',
      batch,
      change,
      message: `parametric EB for batch ${batch} stopped after ${plan.maxIterations} iterations with relative change ${change} (> 1e-4)`,
    });
  });
  const unadjusted = buildUnadjustedWarning(screen, plan.labels);
  if (unadjusted !== null) warnings.push(unadjusted);
  return warnings;
}

/**
 * The model of a fit whose arrays are `model` and priors `priors`: the arrays themselves, not
 * copies, so a range's values are the model's once {@link finishRange} has finished that range.
 */
export function assembleModel(plan: FitPlan, model: ModelArrays, priors: readonly BatchPriors[]): CombatModel {
  const { eb, parametric, meanOnly } = plan;
  const batches = plan.labels.map((label, b): [string, BatchEffects] => {
    const { gammaHat, deltaHat, gammaStar, deltaStar, adjusted } = model.batches[b] as BatchArrays;
    return [label, { samples: plan.samples[b] as number, training: true, gammaHat, deltaHat, gammaStar, deltaStar, ...(priors[b] as BatchPriors).recorded, adjusted }];
  });
  return {
    features: model.grandMean.length,
    coding: plan.coding,
    refBatch: plan.refBatch,
    options: { eb, parametric, meanOnly },
    beta: model.beta,
    grandMean: model.grandMean,
    varPooled: model.varPooled,
    adjusted: model.adjusted,
    batches: new Map(batches),
  };
}
