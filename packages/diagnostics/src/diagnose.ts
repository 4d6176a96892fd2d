import { checkObject, checkOptions, checkStrings, refuseArgument } from '@combat/base/internal';
import { ShapeMismatchError, type CombatModel, type Covariates, type DataMatrix } from '@combat/core';
import { FeatureGroups, indexBatches } from './batch-groups.js';
import { predictBatches, type BatchPredictability } from './batch-predictability.js';
import { testBatches, type BatchTestName, type FeatureTests, type UntestedFeature } from './batch-tests.js';
import { correlationDifferences, type CovarianceDifference } from './covariance-difference.js';
import { fitCovariates, type CovariateFit, type UnfittedFeature } from './covariate-fit.js';
import { checkMatrix } from './matrix-check.js';
import { componentScores, type PrincipalComponents } from './principal-components.js';
import { priorFit, type PriorFit } from './prior-fit.js';
import { sampleGram } from './sample-gram.js';
import { fiveNumbers, median } from './sample-summaries.js';
import { verdictOf, type Bounds, type Verdict } from './verdict.js';

/**
 * Options of {@link diagnose}: the features' `names`; the `tests` to run (default all five) and
 * the `fdr` (0.05); how many of the `worst` features get box plots (10); the batch classifier's
 * `components`, `folds` and `seed` (10, 5, 1; see {@link batchPredictability}); and the verdict's
 * `bounds` (see {@link Verdict}). For a CovBat run, `combat` is the ComBat step's output (CovBat's
 * input; `after` is CovBat's output): the site predictability and the covariance differences are
 * then given for that state too.
 *
 * @example
 * ```ts
 * const options: DiagnoseOptions = { names: ['lh_a', 'lh_b', 'lh_c'], worst: 1, folds: 4, bounds: { priors: 0.2 } };
 * diagnose(matrix, harmonized, covariates, model, options).worst[0]!.name; // 'lh_b'
 * ```
 */
export interface DiagnoseOptions {
  readonly names?: readonly string[];
  readonly tests?: readonly BatchTestName[];
  readonly fdr?: number;
  readonly worst?: number;
  readonly components?: number;
  readonly folds?: number;
  readonly seed?: number;
  readonly bounds?: Partial<Bounds>;
  readonly combat?: DataMatrix;
}

/** A number in the JSON output: null where the value is NaN or infinite. */
type Value = number | null;

/**
 * One test across batches, before and after harmonization: per phase the share of the tested
 * features with a batch effect at the FDR, the median statistic, and the features it could not test
 * (with the cause); per feature, in `perFeature`, the statistic, p and adjusted p.
 *
 * @example
 * ```ts
 * const [anova] = diagnose(matrix, harmonized, covariates, model, { folds: 4 }).tests;
 * const summary: TestSummary = anova!;
 * [summary.test, summary.before.share, summary.after.share]; // ['anova', 2 / 3, 0]
 * ```
 */
export interface TestSummary {
  readonly test: BatchTestName;
  readonly fdr: number;
  readonly before: PhaseSummary;
  readonly after: PhaseSummary;
  readonly perFeature: { readonly before: PerFeature; readonly after: PerFeature };
}

/** A test's summary in one phase. */
interface PhaseSummary {
  readonly share: Value;
  readonly medianStatistic: Value;
  readonly untested: readonly UntestedFeature[];
}

/** A test's per-feature results in one phase. */
interface PerFeature {
  readonly statistic: Value[];
  readonly p: Value[];
  readonly adjusted: Value[];
}

/**
 * One covariate of the model (a term) before and after: the median over features of its partial
 * R^2 and of each correlation, and per feature the partial R^2.
 *
 * @example
 * ```ts
 * const age: TermSummary = diagnose(matrix, harmonized, covariates, model, { folds: 4 }).covariates.terms[1]!;
 * [age.name, age.partialR2.before.length]; // ['age', 3]
 * ```
 */
export interface TermSummary {
  readonly name: string;
  readonly kind: 'categorical' | 'continuous' | 'spline';
  readonly columns: readonly string[];
  readonly medianPartialR2: { readonly before: Value; readonly after: Value };
  readonly partialR2: { readonly before: Value[]; readonly after: Value[] };
  readonly correlation: readonly { readonly name: string; readonly medianBefore: Value; readonly medianAfter: Value }[];
}

/**
 * One of the features with the strongest batch effect before harmonization (smallest p of the first
 * location test run, ANOVA by default): its index and name, p before and after, and per batch
 * Tukey's five numbers (as R's `fivenum`, what a box plot draws) of its covariate-model residuals
 * (what the tests test) before and after.
 *
 * @example
 * ```ts
 * const worst: WorstFeature = diagnose(matrix, harmonized, covariates, model, { worst: 1, folds: 4 }).worst[0]!;
 * [worst.feature, worst.boxes.map((box) => box.batch)]; // [1, ['siteA', 'siteB']]
 * ```
 */
export interface WorstFeature {
  readonly feature: number;
  readonly name: string | null;
  readonly test: BatchTestName;
  readonly p: { readonly before: Value; readonly after: Value };
  readonly boxes: readonly { readonly batch: string; readonly count: number; readonly before: Value[]; readonly after: Value[] }[];
}

/**
 * Everything {@link diagnose} finds, as plain JSON values (NaN and infinities are null), described
 * field by field by the package's JSON Schema (`@combat/diagnostics/schema/diagnostics.schema.json`).
 *
 * @example
 * ```ts
 * const result: Diagnostics = diagnose(matrix, harmonized, covariates, model, { folds: 4 });
 * [result.formatVersion, result.samples, result.features, result.batches]; // [1, 8, 3, [{ batch: 'siteA', samples: 4 }, { batch: 'siteB', samples: 4 }]]
 * JSON.parse(JSON.stringify(result)).verdict.siteEffect.status; // 'removed'
 * ```
 */
export interface Diagnostics {
  readonly formatVersion: 1;
  readonly samples: number;
  readonly features: number;
  readonly names: readonly string[] | null;
  readonly batch: readonly string[];
  readonly batches: readonly { readonly batch: string; readonly samples: number }[];
  readonly unadjusted: readonly number[];
  readonly verdict: Verdict;
  readonly tests: readonly TestSummary[];
  readonly covariates: {
    readonly terms: readonly TermSummary[];
    readonly coefficients: readonly { readonly column: string; readonly medianBefore: Value; readonly medianAfter: Value }[];
    readonly unfitted: { readonly before: readonly UnfittedFeature[]; readonly after: readonly UnfittedFeature[] };
  };
  readonly priors: PriorFit;
  readonly predictability: { readonly before: BatchPredictability; readonly combat?: BatchPredictability; readonly after: BatchPredictability };
  readonly covariance: { readonly before: CovarianceDifference; readonly combat?: CovarianceDifference; readonly after: CovarianceDifference };
  readonly pca: { readonly before: PrincipalComponents; readonly after: PrincipalComponents };
  readonly worst: readonly WorstFeature[];
}

/**
 * Did harmonization work? One call that gathers the package's diagnostics of a run into one plain,
 * JSON-serializable object ({@link Diagnostics}): the covariate model without batch fitted before
 * and after ({@link fitCovariates}, with the model's coding), the tests across batches of its
 * residuals ({@link testBatches}: shares at the FDR, median statistics, per-feature results), the
 * biology (per covariate its partial R^2 and correlations, per column its coefficient, before and
 * after), the empirical-Bayes priors against the estimates ({@link priorFit}), how well the batch
 * can be predicted before and after ({@link batchPredictability}), the first two principal
 * components of each ({@link principalComponents}), how each batch's correlations between features
 * differ from the pooled ones ({@link covarianceDifference}, of the covariate model's residuals), the
 * worst features' per-batch box plots, the features the model left unadjusted, and a verdict up top
 * ({@link Verdict}). Features that cannot be fitted or tested are reported, not fatal. For a CovBat
 * run, give the ComBat step's output as `options.combat`: `predictability.combat` and
 * `covariance.combat` describe it (the verdict is of `after`, CovBat's output).
 *
 * @throws {@link InvalidArgumentError} when an argument or option is not of the right kind.
 * @throws {@link ShapeMismatchError} when `after` (or `options.combat`) is not the shape of `before`, the model has
 * another number of features, or `names` are not one per feature.
 * @throws what {@link fitCovariates} and {@link testBatches} throw for unusable input (an infinite
 * value, covariates that do not fit the model's coding, a design confounded on all samples).
 *
 * @example
 * ```ts
 * const result = diagnose(matrix, harmonized, covariates, model, { folds: 4 });
 * result.verdict.siteEffect.tests.map((t) => [t.test, t.before, t.after]).slice(0, 3); // [['anova', 2 / 3, 0], ['kruskal-wallis', 0, 0], ['levene', 1 / 3, 0]]
 * [result.predictability.before.accuracy, result.predictability.after.accuracy]; // [1, 0.25]
 * result.covariance.after.batches.map((b) => b.frobenius!.toFixed(2)); // ['0.08', '0.07']
 * ```
 */
export function diagnose(before: DataMatrix, after: DataMatrix, covariates: Covariates, model: CombatModel, options: DiagnoseOptions = {}): Diagnostics {
  const { samples, features } = checkMatrix(before);
  checkSameShape(after, 'after', samples, features);
  checkObject(model, 'diagnose: model', 'a CombatModel');
  if (!(model.batches instanceof Map) || !(model.adjusted instanceof Uint8Array)) refuseArgument('diagnose: model', 'a CombatModel', model);
  if (model.features !== features) throw new ShapeMismatchError(`the model has ${model.features} features; expected one per feature of the data (${features})`);
  const checked = checkOptions(options, 'diagnose: options');
  const combat = checked.combat === undefined ? undefined : checkSameShape(checked.combat as DataMatrix, 'options.combat', samples, features);
  const names = checked.names === undefined ? undefined : checkStrings(checked.names, 'diagnose: options.names');
  if (names !== undefined && names.length !== features) throw new ShapeMismatchError(`options.names has ${names.length} names; expected one per feature (${features})`);
  const worstCount = checked.worst === undefined ? 10 : checkIntegerOption(checked.worst, 'worst', 0);
  const bounds = checkBounds(checked.bounds);
  const settings = {
    components: checked.components === undefined ? 10 : checkIntegerOption(checked.components, 'components', 1),
    folds: checked.folds === undefined ? Math.min(5, samples) : checkIntegerOption(checked.folds, 'folds', 2, samples),
    seed: checked.seed === undefined ? 1 : checkIntegerOption(checked.seed, 'seed', -(2 ** 31), 2 ** 31),
  };
  const testOptions = { ...(checked.tests === undefined ? {} : { tests: checked.tests as readonly BatchTestName[] }), ...(checked.fdr === undefined ? {} : { fdr: checked.fdr as number }), ...(names === undefined ? {} : { features: names }) };
  const fits = [before, after].map((matrix) => fitCovariates(matrix, model.coding, covariates, names === undefined ? {} : { features: names })) as [CovariateFit, CovariateFit];
  const results = fits.map((fit) => testBatches(fit.residuals, covariates.batch, testOptions)) as [FeatureTests[], FeatureTests[]];
  const fdr = checked.fdr === undefined ? 0.05 : (checked.fdr as number);
  const tests: TestSummary[] = results[0].map((b, t) => {
    const a = results[1][t] as FeatureTests;
    return { test: b.test, fdr, before: phase(b), after: phase(a), perFeature: { before: perFeature(b), after: perFeature(a) } };
  });
  const index = indexBatches(covariates.batch, 'diagnose: covariates.batch');
  const grams = [before, after].map(sampleGram);
  const predictability = { before: predictBatches(grams[0]!, index, settings), ...(combat === undefined ? {} : { combat: predictBatches(sampleGram(combat), index, settings) }), after: predictBatches(grams[1]!, index, settings) };
  const covariance = {
    before: correlationDifferences(fits[0].residuals, index),
    ...(combat === undefined ? {} : { combat: correlationDifferences(fitCovariates(combat, model.coding, covariates, names === undefined ? {} : { features: names }).residuals, index) }),
    after: correlationDifferences(fits[1].residuals, index),
  };
  const terms: TermSummary[] = fits[0].terms.map((term, t) => {
    const later = fits[1].terms[t]!;
    return {
      name: term.name,
      kind: term.kind,
      columns: term.columns,
      medianPartialR2: { before: medianOf(term.partialR2), after: medianOf(later.partialR2) },
      partialR2: { before: values(term.partialR2), after: values(later.partialR2) },
      correlation: term.correlation.map((series, s) => ({ name: series.name, medianBefore: medianOf(series.values), medianAfter: medianOf(later.correlation[s]!.values) })),
    };
  });
  const coefficients = fits[0].columns.map((column, k) => ({
    column,
    medianBefore: medianOf(fits[0].coefficients.subarray(k * features, (k + 1) * features)),
    medianAfter: medianOf(fits[1].coefficients.subarray(k * features, (k + 1) * features)),
  }));
  const priors = priorFit(model);
  const unadjusted = [...model.adjusted.keys()].filter((v) => model.adjusted[v] === 0);
  const sizes = index.labels.map((batch) => ({ batch, samples: covariates.batch.filter((label) => label === batch).length }));
  return {
    formatVersion: 1,
    samples,
    features,
    names: names === undefined ? null : [...names],
    batch: [...covariates.batch],
    batches: sizes,
    unadjusted,
    verdict: verdictOf(tests, terms, priors, predictability, bounds),
    tests,
    covariates: { terms, coefficients, unfitted: { before: fits[0].unfitted, after: fits[1].unfitted } },
    priors: jsonPriors(priors),
    predictability,
    covariance,
    pca: { before: componentScores(grams[0]!, 2, samples), after: componentScores(grams[1]!, 2, samples) },
    worst: worstFeatures(results, fits, index, names, worstCount),
  };
}

/** A matrix (`name`: `after`, or the ComBat step's output of a CovBat run) of the shape of `before`. */
function checkSameShape(matrix: DataMatrix, name: string, samples: number, features: number): DataMatrix {
  checkMatrix(matrix);
  if (matrix.samples !== samples || matrix.features !== features) {
    throw new ShapeMismatchError(`${name} has ${matrix.samples} samples x ${matrix.features} features; expected the shape of before (${samples} x ${features})`);
  }
  return matrix;
}

function checkIntegerOption(value: unknown, name: string, min: number, max?: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || (max !== undefined && value > max)) {
    refuseArgument(`diagnose: options.${name}`, max === undefined ? `an integer of at least ${min}` : `an integer from ${min} to ${max}`, value);
  }
  return value;
}

/** The verdict's bounds, each a number from 0 to 1, defaults filled in. */
function checkBounds(value: unknown): Bounds {
  const given = checkOptions(value, 'diagnose: options.bounds');
  const bounds = { siteEffect: 0.05, biology: 0.05, priors: 0.1, predictability: 0.1 };
  for (const key of Object.keys(bounds) as (keyof Bounds)[]) {
    const bound = given[key];
    if (bound === undefined) continue;
    if (typeof bound !== 'number' || !(bound >= 0 && bound <= 1)) refuseArgument(`diagnose: options.bounds.${key}`, 'a number from 0 to 1', bound);
    bounds[key] = bound;
  }
  return bounds;
}

/** A number for JSON: null for NaN and infinities. */
function value(x: number): Value {
  return Number.isFinite(x) ? x : null;
}

function values(array: ArrayLike<number>): Value[] {
  return Array.from(array, value);
}

function medianOf(array: ArrayLike<number>): Value {
  return value(median(Float64Array.from(array).filter((x) => !Number.isNaN(x))));
}

function phase(result: FeatureTests): PhaseSummary {
  return { share: value(result.share), medianStatistic: value(result.medianStatistic), untested: result.untested };
}

function perFeature(result: FeatureTests): PerFeature {
  return { statistic: values(result.statistic), p: values(result.p), adjusted: values(result.adjusted) };
}

/** The prior fit with its numbers made JSON values (an inverse gamma prior's Infinity parameters, say). */
function jsonPriors(fit: PriorFit): PriorFit {
  return JSON.parse(JSON.stringify(fit, (_, x: unknown) => (typeof x === 'number' && !Number.isFinite(x) ? null : x))) as PriorFit;
}

/** The features with the smallest p of the first location test before harmonization, with their box plots. */
function worstFeatures(results: [FeatureTests[], FeatureTests[]], fits: [CovariateFit, CovariateFit], index: ReturnType<typeof indexBatches>, names: readonly string[] | undefined, count: number): WorstFeature[] {
  const t = Math.max(0, results[0].findIndex((r) => r.test === 'anova' || r.test === 'kruskal-wallis'));
  const [first, second] = [results[0][t] as FeatureTests, results[1][t] as FeatureTests];
  const V = first.p.length;
  const order = [...Array(V).keys()].filter((v) => !Number.isNaN(first.p[v])).sort((a, b) => (first.p[a] as number) - (first.p[b] as number) || a - b);
  return order.slice(0, count).map((v) => {
    const [groupsBefore, groupsAfter] = fits.map((fit) => new FeatureGroups(index).load(fit.residuals.data, v, V, {})) as [FeatureGroups, FeatureGroups];
    const boxes = index.labels.flatMap((_, code) => {
      const b = groupsBefore.codes.subarray(0, groupsBefore.k).indexOf(code);
      const a = groupsAfter.codes.subarray(0, groupsAfter.k).indexOf(code);
      if (b < 0 && a < 0) return [];
      const box = (groups: FeatureGroups, g: number) => (g < 0 ? [] : values(fiveNumbers(groups.group(g).sort())));
      return [{ batch: index.labels[code] as string, count: b < 0 ? 0 : groupsBefore.size(b), before: box(groupsBefore, b), after: box(groupsAfter, a) }];
    });
    return { feature: v, name: names === undefined ? null : (names[v] as string), test: first.test, p: { before: value(first.p[v] as number), after: value(second.p[v] as number) }, boxes };
  });
}

