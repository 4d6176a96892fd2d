import { checkObject, checkOptions, refuseArgument } from '@combat/base/internal';
import { checkDesignRank } from './confounding.js';
import { codeDesign, encodeCovariates, type DesignCoding, type DesignOptions } from './design.js';
import { estimatePriors, findPointMass } from './empirical-bayes.js';
import { InvalidValueError, ShapeMismatchError, TooFewFeaturesError, TooFewSamplesError } from './errors.js';
import { checkComplete, checkInputs } from './input-checks.js';
import { checkFitBatches, sortLevels } from './levels.js';
import { buildSubjectDesign, fitMixedModel, type SubjectDesign } from './mixed-model.js';
import type { DesignSums } from './standardize.js';
import type { Covariates, DataMatrix } from './types.js';

/**
 * Options of {@link harmonizeLongitudinal}: each sample's subject (the scans of one subject share
 * a random intercept), and the continuous covariates entered as natural splines (as `harmonize`).
 *
 * @example
 * ```ts
 * const options: LongitudinalOptions = { subject: ['s1', 's2', 's1', 's2', 's3', 's4', 's3', 's4'] };
 * harmonizeLongitudinal(matrix, covariates, options).subjects; // 4
 * ```
 */
export interface LongitudinalOptions {
  readonly subject: readonly string[];
  readonly splines?: DesignOptions['splines'];
}

/**
 * One batch's estimates in a longitudinal fit, one value per feature: the standardized data's
 * mean and variance in the batch (longCombat's `gammahat`, `delta2hat`) and their empirical Bayes
 * estimates (`gammastarhat`, `delta2starhat`).
 *
 * @example
 * ```ts
 * const siteA: LongitudinalBatch = harmonizeLongitudinal(matrix, covariates, { subject }).batches.get('siteA')!;
 * siteA.samples; // 4
 * siteA.deltaStar.length; // 3
 * ```
 */
export interface LongitudinalBatch {
  readonly samples: number;
  readonly gammaHat: Float64Array;
  readonly deltaHat: Float64Array;
  readonly gammaStar: Float64Array;
  readonly deltaStar: Float64Array;
}

/**
 * The result of {@link harmonizeLongitudinal}: the harmonized data (a new Float64Array in the
 * input's layout), the design coding, the batches' estimates by label (code-point order), the
 * number of subjects, and per feature the residual standard deviation of the mixed model (the
 * feature's scale) and its variance `ratio`, random-intercept variance / residual variance (the
 * random intercept's share of the variance is `ratio / (1 + ratio)`; 0 where REML puts it on the
 * boundary).
 *
 * @example
 * ```ts
 * const { data, batches, sigma, ratio }: LongitudinalResult = harmonizeLongitudinal(matrix, covariates, { subject });
 * data.length; // 24
 * [...batches.keys()]; // ['siteA', 'siteB']
 * sigma.every((s) => s > 0); // true
 * ratio.every((r) => r >= 0); // true
 * ```
 */
export interface LongitudinalResult {
  readonly data: Float64Array;
  readonly coding: DesignCoding;
  readonly batches: ReadonlyMap<string, LongitudinalBatch>;
  readonly subjects: number;
  readonly sigma: Float64Array;
  readonly ratio: Float64Array;
}

/** longCombat's fixed number of empirical Bayes iterations (its `niter` default). */
const ITERATIONS = 30;

/**
 * Longitudinal ComBat (Beer et al., NeuroImage 2020), exactly as longCombat (`jcbeer/longCombat`)
 * computes it: per feature a linear mixed model with the batch, the covariates and a random
 * intercept per subject, fitted by REML; the residual standard deviation as the feature's scale;
 * the data standardized with the fitted values (each subject's predicted intercept included) and
 * the batch effects centred with the batch sizes; method-of-moments priors per batch; 30
 * iterations of the empirical Bayes updates, each gamma from the previous delta and each delta from
 * the previous gamma; then `sigma / sqrt(deltaStar) * (z - gammaStar) + fitted - batch effect`.
 * A subject may be scanned in several batches (the batch is per sample). Inputs are never modified.
 *
 * @throws {@link InvalidArgumentError} when an argument or option is not of the right kind, or
 * one of ComBat's modes is asked for (`refBatch`, `meanOnly: true`, `parametric: false`,
 * `eb: false`, `maxIterations`): longitudinal ComBat does not support them.
 * @throws {@link ShapeMismatchError} when the data are not `samples x features` values, or a
 * covariate column or the subjects are not one per sample.
 * @throws {@link EmptyInputError} when there are no samples or no features.
 * @throws {@link InvalidValueError} when a data value is missing (NaN: longitudinal ComBat needs
 * complete data) or infinite, a label or subject is missing, a continuous covariate is not finite,
 * every sample is of one subject or each of its own, the fixed effects fit each subject's values
 * of a feature exactly or to within rounding (no within-subject residual variance, or under 1e-15
 * of the random intercept's), or a feature's REML criterion has no minimum that can be located.
 * @throws {@link TooFewBatchesError} when there are fewer than two batches.
 * @throws {@link TooFewSamplesError} when a batch has one sample, the samples are not more than
 * the fixed effects, or the repeated scans leave no within-subject degrees of freedom.
 * @throws {@link TooFewFeaturesError} when there are fewer than two features (the priors are
 * estimated across features).
 * @throws {@link CovariateNameError} when covariate names would give a design column twice, or
 * two subject labels differ only in surrounding spaces or Unicode form (they would look like one subject).
 * @throws {@link ConfoundedDesignError} when a covariate is confounded with batch or the others.
 *
 * @example
 * ```ts
 * import { harmonizeLongitudinal } from '@combat/core';
 *
 * // Two scans of each of four subjects, two subjects per site.
 * const subject = ['s1', 's2', 's1', 's2', 's3', 's4', 's3', 's4'];
 * const { data, batches } = harmonizeLongitudinal(matrix, covariates, { subject });
 * data.length; // 24
 * batches.get('siteB')!.gammaStar.length; // 3
 * harmonizeLongitudinal(matrix, covariates, { subject: covariates.batch.map(() => 's1') });
 * // throws InvalidValueError: every sample is of one subject ("s1"); longitudinal ComBat needs several subjects
 * ```
 */
export function harmonizeLongitudinal(matrix: DataMatrix, covariates: Covariates, options: LongitudinalOptions): LongitudinalResult {
  checkObject(matrix, 'harmonizeLongitudinal: matrix', 'an object { data, samples, features }');
  checkInputs(matrix, covariates, matrix.features, 'harmonizeLongitudinal');
  const given = checkOptions(options, 'harmonizeLongitudinal: options', 'an object { subject, splines? }');
  if (!Array.isArray(given.subject)) refuseArgument('harmonizeLongitudinal: options.subject', "an array of subject labels, one per sample", given.subject);
  refuseCombatModes(given);
  const coding = codeDesign(covariates, given.splines === undefined ? {} : { splines: given.splines as DesignOptions['splines'] });
  const batches = checkFitBatches(covariates.batch, null);
  const rows = encodeCovariates(coding, covariates);
  const { samples: N, features: V } = matrix;
  const subjects = indexSubjects(given.subject as readonly unknown[], N);
  checkComplete(matrix, 'longitudinal ComBat');
  const batchOf = Int32Array.from(rows.batch, (label) => batches.indexOf(label));
  const B = batches.length;
  const q = coding.columns.length;
  const count = new Float64Array(B);
  for (let i = 0; i < N; i++) count[batchOf[i] as number]! += 1;
  count.forEach((n, b) => {
    if (n < 2) throw new TooFewSamplesError(`batch ${batches[b]} has 1 sample; longitudinal ComBat needs at least 2 per batch to estimate its scale`);
  });
  checkDesignRank(coding, batches, sumDesign(rows.covariates, batchOf, B, q));
  const p = B + q;
  if (N <= p) throw new TooFewSamplesError(`${N} samples for ${p} fixed effects (${B} batches, ${q} covariate columns); the mixed model needs more samples than fixed effects`);
  if (V < 2) throw new TooFewFeaturesError(`longitudinal ComBat estimates its priors across features and needs at least 2; found ${V}`);

  const design = buildSubjectDesign(fixedEffects(rows.covariates, batchOf, B, q), p, subjects.index, subjects.labels.length);
  const S = subjects.labels.length;
  if (N - S - design.withinRank <= 0) {
    throw new TooFewSamplesError(
      `${N} samples of ${S} subjects leave no within-subject degrees of freedom once the ${design.withinRank} fixed-effect columns that vary within subjects are fitted, so the residual variance cannot be told from the random intercept; more repeated scans are needed`,
    );
  }
  const fit = fitFeatures(matrix, design, batchOf, count);
  const shrunk = batches.map((_, b) => shrinkAsLongCombat(fit.gammaHat[b]!, fit.deltaHat[b]!, count[b] as number));
  const out = new Float64Array(N * V);
  for (let i = 0; i < N; i++) {
    const b = batchOf[i] as number;
    const { gammaStar, deltaStar } = shrunk[b]!;
    for (let v = 0; v < V; v++) {
      const at = i * V + v;
      const sigma = fit.sigma[v] as number;
      out[at] = (sigma / Math.sqrt(deltaStar[v] as number)) * ((fit.z[at] as number) - (gammaStar[v] as number)) + (fit.fitted[at] as number) - (fit.effect[b * V + v] as number);
    }
  }
  return {
    data: out,
    coding,
    batches: new Map(
      batches.map((label, b) => [label, { samples: count[b] as number, gammaHat: fit.gammaHat[b]!, deltaHat: fit.deltaHat[b]!, gammaStar: shrunk[b]!.gammaStar, deltaStar: shrunk[b]!.deltaStar }]),
    ),
    subjects: subjects.labels.length,
    sigma: fit.sigma,
    ratio: fit.ratio,
  };
}

/**
 * ComBat's options that change its mode, refused unless at longitudinal ComBat's one mode (no
 * reference batch, location and scale, parametric empirical Bayes with longCombat's fixed
 * iterations): an option it does not support is an error, never ignored. Other unknown keys are
 * ignored, as `harmonize` ignores them.
 */
function refuseCombatModes(given: Record<string, unknown>): void {
  const modes: [string, (value: unknown) => boolean, string][] = [
    ['refBatch', (value) => value === undefined || value === null, 'null or absent'],
    ['meanOnly', (value) => value === undefined || value === false, 'false or absent'],
    ['parametric', (value) => value === undefined || value === true, 'true or absent'],
    ['eb', (value) => value === undefined || value === true, 'true or absent'],
    ['maxIterations', (value) => value === undefined, 'absent (its 30 iterations are fixed)'],
  ];
  for (const [key, supported, expected] of modes) {
    if (!supported(given[key])) refuseArgument(`harmonizeLongitudinal: options.${key}`, `${expected}: longitudinal ComBat does not support ${key}`, given[key]);
  }
}

/**
 * Each sample's subject as an index into the subjects in code-point order; refused when not one
 * non-empty label per sample, when every sample is of one subject, or of its own (no repeated scan:
 * the random intercept cannot be told from the residual).
 */
function indexSubjects(subject: readonly unknown[], samples: number): { labels: string[]; index: Int32Array } {
  if (subject.length !== samples) throw new ShapeMismatchError(`subject labels has ${subject.length} values; expected one per sample (${samples})`);
  subject.forEach((label, i) => {
    if (typeof label !== 'string' || label === '') throw new InvalidValueError(`subject label is ${JSON.stringify(label) ?? 'undefined'}; expected a non-empty string`, { sample: i });
  });
  const labels = sortLevels(subject as readonly string[], 'subject');
  if (labels.length === 1) throw new InvalidValueError(`every sample is of one subject (${JSON.stringify(labels[0])}); longitudinal ComBat needs several subjects`);
  if (labels.length === samples) {
    throw new InvalidValueError(`every sample is of a subject of its own (${samples} subjects); longitudinal ComBat needs repeated scans of some subjects (without any, use harmonize)`);
  }
  const position = new Map(labels.map((label, s) => [label, s]));
  return { labels, index: Int32Array.from(subject as readonly string[], (label) => position.get(label) as number) };
}

/** The per-batch design sums `checkDesignRank` explains a rank deficiency from. */
function sumDesign(covariates: Float64Array, batchOf: Int32Array, B: number, q: number): DesignSums {
  const sums: DesignSums = { count: new Float64Array(B), covariateSum: new Float64Array(B * q), covariateCross: new Float64Array(B * q * q) };
  for (let i = 0; i < batchOf.length; i++) {
    const b = batchOf[i] as number;
    sums.count[b]! += 1;
    for (let k = 0; k < q; k++) {
      const c = covariates[i * q + k] as number;
      sums.covariateSum[b * q + k]! += c;
      for (let l = 0; l < q; l++) sums.covariateCross[(b * q + k) * q + l]! += c * (covariates[i * q + l] as number);
    }
  }
  return sums;
}

/**
 * The fixed effects' design, N x (B + q): an indicator per batch (the batch means, the space of
 * longCombat's intercept and treatment-coded batch), then the covariate columns less their mean
 * (the same fitted values, better conditioned).
 */
function fixedEffects(covariates: Float64Array, batchOf: Int32Array, B: number, q: number): Float64Array {
  const N = batchOf.length;
  const p = B + q;
  const mean = new Float64Array(q);
  for (let i = 0; i < N; i++) for (let k = 0; k < q; k++) mean[k]! += (covariates[i * q + k] as number) / N;
  const x = new Float64Array(N * p);
  for (let i = 0; i < N; i++) {
    x[i * p + (batchOf[i] as number)] = 1;
    for (let k = 0; k < q; k++) x[i * p + B + k] = (covariates[i * q + k] as number) - (mean[k] as number);
  }
  return x;
}

/** The mixed model of every feature, and the standardized data with what they come from. */
interface FeatureFits {
  /** Standardized data, fitted values (N x V), centred batch effects (B x V). */
  readonly z: Float64Array;
  readonly fitted: Float64Array;
  readonly effect: Float64Array;
  readonly sigma: Float64Array;
  readonly ratio: Float64Array;
  /** Per batch, the standardized data's mean and variance (V each). */
  readonly gammaHat: Float64Array[];
  readonly deltaHat: Float64Array[];
}

/**
 * Fits each feature's mixed model and standardizes: `z = (y - fitted + effect) / sigma`, with
 * `effect` the batch's coefficient less the sample-weighted mean of the batches' coefficients
 * (longCombat's batch effects under `sum n_b effect_b = 0`).
 */
function fitFeatures(matrix: DataMatrix, design: SubjectDesign, batchOf: Int32Array, count: Float64Array): FeatureFits {
  const { samples: N, features: V, data } = matrix;
  const B = count.length;
  const p = design.columns;
  const { x, subject } = design;
  const fits: FeatureFits = {
    z: new Float64Array(N * V),
    fitted: new Float64Array(N * V),
    effect: new Float64Array(B * V),
    sigma: new Float64Array(V),
    ratio: new Float64Array(V),
    gammaHat: Array.from({ length: B }, () => new Float64Array(V)),
    deltaHat: Array.from({ length: B }, () => new Float64Array(V)),
  };
  const y = new Float64Array(N);
  const sum = new Float64Array(B);
  const squares = new Float64Array(B);
  for (let v = 0; v < V; v++) {
    for (let i = 0; i < N; i++) y[i] = data[i * V + v] as number;
    const { beta, intercepts, sigma, ratio } = fitMixedModel(design, y);
    if (Number.isNaN(ratio)) {
      throw new InvalidValueError('the REML fit of the mixed model found no optimum of the random-intercept variance (its criterion has no minimum that could be located); leave the feature out', { feature: v });
    }
    if (!Number.isFinite(ratio)) {
      throw new InvalidValueError(
        'the covariates and batches that vary within subjects fit each subject\u2019s values exactly or to within rounding (a within-subject residual variance of 0, or under 1e-15 of the random intercept\u2019s), so the residual variance cannot be told from the random intercept; leave the feature out',
        { feature: v },
      );
    }
    fits.sigma[v] = sigma;
    fits.ratio[v] = ratio;
    let centre = 0;
    for (let b = 0; b < B; b++) centre += ((count[b] as number) / N) * (beta[b] as number);
    for (let b = 0; b < B; b++) fits.effect[b * V + v] = (beta[b] as number) - centre;
    sum.fill(0);
    squares.fill(0);
    for (let i = 0; i < N; i++) {
      let fitted = intercepts[subject[i] as number] as number;
      for (let j = 0; j < p; j++) fitted += (x[i * p + j] as number) * (beta[j] as number);
      const b = batchOf[i] as number;
      const z = ((y[i] as number) - fitted + (fits.effect[b * V + v] as number)) / sigma;
      fits.fitted[i * V + v] = fitted;
      fits.z[i * V + v] = z;
      sum[b]! += z;
    }
    for (let b = 0; b < B; b++) fits.gammaHat[b]![v] = (sum[b] as number) / (count[b] as number);
    for (let i = 0; i < N; i++) {
      const b = batchOf[i] as number;
      squares[b]! += ((fits.z[i * V + v] as number) - (fits.gammaHat[b]![v] as number)) ** 2;
    }
    for (let b = 0; b < B; b++) fits.deltaHat[b]![v] = (squares[b] as number) / ((count[b] as number) - 1);
  }
  return fits;
}

/**
 * One batch's empirical Bayes estimates as longCombat computes them: method-of-moments priors
 * across features (normal on gammaHat, inverse gamma on deltaHat), a start from gammaHat's
 * posterior mean with deltaHat and the delta from that start, then {@link ITERATIONS} updates in
 * which gamma uses the previous delta and delta the previous gamma. The sum of squares about a
 * gamma g is `(n - 1) deltaHat + n (gammaHat - g)^2`. With no spread in deltaHat (a point-mass
 * prior) delta is that point. Not ComBat's parametric solver (`shrinkBatch`, which updates delta
 * from the new gamma and stops when the estimates converge): longCombat's fixed, lagged updates.
 */
function shrinkAsLongCombat(gammaHat: Float64Array, deltaHat: Float64Array, n: number): { gammaStar: Float64Array; deltaStar: Float64Array } {
  const V = gammaHat.length;
  const kept = Int32Array.from({ length: V }, (_, v) => v);
  const priors = estimatePriors(kept, gammaHat, deltaHat);
  const pointMass = findPointMass(kept, priors, deltaHat);
  const { gammaBar, t2, aPrior, bPrior } = priors;
  const gammaOf = (v: number, delta: number): number => (n * t2 * (gammaHat[v] as number) + delta * gammaBar) / (n * t2 + delta);
  const deltaOf = (v: number, gamma: number): number =>
    pointMass ?? (bPrior + 0.5 * ((n - 1) * (deltaHat[v] as number) + n * ((gammaHat[v] as number) - gamma) ** 2)) / (n / 2 + aPrior - 1);
  const gammaStar = new Float64Array(V);
  const deltaStar = new Float64Array(V);
  for (let v = 0; v < V; v++) {
    let gamma = gammaOf(v, deltaHat[v] as number);
    let delta = deltaOf(v, gamma);
    for (let iteration = 0; iteration < ITERATIONS; iteration++) {
      const next = gammaOf(v, delta);
      delta = deltaOf(v, gamma);
      gamma = next;
    }
    gammaStar[v] = gamma;
    deltaStar[v] = delta;
  }
  return { gammaStar, deltaStar };
}
