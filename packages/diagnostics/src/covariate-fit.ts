import { checkOptions, checkStrings } from '@combat/base/internal';
import { ConfoundedDesignError, encodeCovariates, InvalidValueError, ShapeMismatchError, TooFewSamplesError, type CovariateTerm, type Covariates, type DataMatrix, type DesignCoding } from '@combat/core';
import { named, type FeatureWhere } from './batch-groups.js';
import { LeastSquares } from './least-squares.js';
import { checkMatrix } from './matrix-check.js';

/**
 * A series of one value per feature under a name: a covariate's correlation with each feature.
 *
 * @example
 * ```ts
 * const { terms } = fitCovariates(matrix, model.coding, covariates);
 * const sexM: FeatureValues = terms[0]!.correlation[0]!;
 * [sexM.name, sexM.values.length]; // ['sex:M', 3]
 * ```
 */
export interface FeatureValues {
  readonly name: string;
  readonly values: Float64Array;
}

/**
 * What one covariate explains of each feature: its design `columns`; `partialR2` (per feature,
 * the share of the residual sum of squares without the covariate that it explains: (RSS without
 * it - RSS) / RSS without it, on the feature's finite values; for a spline, the measure of its
 * effect, since its basis coefficients mean little one by one); and `correlation`, the Pearson
 * correlation with each feature of each categorical level's 0/1 column (named as its design
 * column, `sex:M`) or of a continuous covariate's values (named by it, also for a spline).
 *
 * @example
 * ```ts
 * const { terms } = fitCovariates(matrix, model.coding, covariates);
 * const age: TermEffect = terms[1]!;
 * [age.name, age.kind, age.columns]; // ['age', 'continuous', ['age']]
 * age.partialR2[0]!.toFixed(6); // '0.362587'
 * ```
 */
export interface TermEffect {
  readonly name: string;
  readonly kind: CovariateTerm['kind'];
  readonly columns: readonly string[];
  readonly partialR2: Float64Array;
  readonly correlation: readonly FeatureValues[];
}

/**
 * A feature {@link fitCovariates} could not fit on its finite values: its 0-based index and the
 * cause, `too-few-values` (fewer finite values than design columns) or `confounded` (the design
 * is rank deficient on its finite values: `columns` are those that add nothing to the columns
 * before, e.g. a level whose samples all miss the feature). Its residuals, coefficients, partial
 * R^2 and correlations are NaN.
 *
 * @example
 * ```ts
 * const data = matrix.data.slice();
 * for (const i of [1, 3, 5, 7]) data[i * 3] = NaN; // feature 0 loses every male sample
 * const fit = fitCovariates({ ...matrix, data }, model.coding, covariates);
 * const unfitted: UnfittedFeature[] = [...fit.unfitted];
 * unfitted; // [{ feature: 0, cause: 'confounded', columns: ['sex:M'] }]
 * fit.residuals.data[0]; // NaN
 * ```
 */
export interface UnfittedFeature {
  readonly feature: number;
  readonly cause: 'too-few-values' | 'confounded';
  readonly columns?: readonly string[];
}

/**
 * The covariate model without batch, fitted to every feature: `columns` (`'(Intercept)'` and the
 * coding's columns), `coefficients` (columns x features, `coefficients[k * features + v]`),
 * `residuals` (samples x features, sample-major like the data, NaN where the data are), and the
 * effect of each covariate in `terms`, in the coding's order; `unfitted` lists the features
 * that could not be fitted on their finite values (NaN throughout).
 *
 * @example
 * ```ts
 * const fit: CovariateFit = fitCovariates(matrix, model.coding, covariates);
 * fit.columns; // ['(Intercept)', 'sex:M', 'age']
 * fit.coefficients[2 * 3 + 0]!.toFixed(8); // '0.01008281'
 * ```
 */
export interface CovariateFit {
  readonly columns: readonly string[];
  readonly coefficients: Float64Array;
  readonly residuals: DataMatrix;
  readonly terms: readonly TermEffect[];
  readonly unfitted: readonly UnfittedFeature[];
}

/**
 * Options of {@link fitCovariates}: the features' names, for messages.
 *
 * @example
 * ```ts
 * const options: FitCovariatesOptions = { features: ['lh_a', 'lh_b', 'lh_c'] };
 * fitCovariates(matrix, model.coding, covariates, options).columns.length; // 3
 * ```
 */
export interface FitCovariatesOptions {
  readonly features?: readonly string[];
}

/**
 * Fits each feature on the covariates alone (an intercept and the covariate columns of `coding`,
 * as core codes them: treatment-coded levels, continuous values, natural-spline bases), without
 * batch, by least squares on its finite values, as R's `lm(y ~ covariates)` with `na.omit`. Use the
 * model's coding (`model.coding`) and the covariates it was fitted with, on the data before and
 * after harmonization: the residuals are what {@link testBatches} should find free of batch
 * effects after, and the coefficients, partial R^2 and correlations are the biology that should
 * stay the same.
 *
 * @throws {@link InvalidArgumentError} when an argument is not of the right kind.
 * @throws what `encodeCovariates` throws for covariates that do not fit the coding.
 * @throws {@link EmptyInputError} when the matrix has no sample or no feature.
 * @throws {@link ShapeMismatchError} when the covariates (or `features`) are not one per sample (feature).
 * @throws {@link InvalidValueError} when a value is infinite (`sample`, `feature` set).
 * @throws {@link TooFewSamplesError} when there are fewer samples than design columns.
 * @throws {@link ConfoundedDesignError} when the design is rank deficient on all samples (the
 * message names the column that adds nothing). A feature whose finite values are too few for the
 * design, or leave it rank deficient, does not stop the run: it is listed in `unfitted`.
 *
 * @example
 * ```ts
 * const before = fitCovariates(matrix, model.coding, covariates);
 * const after = fitCovariates(harmonized, model.coding, covariates);
 * [before.terms[1]!.correlation[0]!.values[0]!.toFixed(6), after.terms[1]!.correlation[0]!.values[0]!.toFixed(6)]; // ['0.599577', '0.474098']
 * testBatches(before.residuals, covariates.batch, { tests: ['anova'] })[0]!.share; // 2 / 3
 * testBatches(after.residuals, covariates.batch, { tests: ['anova'] })[0]!.share; // 0
 * ```
 */
export function fitCovariates(matrix: DataMatrix, coding: DesignCoding, covariates: Covariates, options: FitCovariatesOptions = {}): CovariateFit {
  const { samples, features } = checkMatrix(matrix);
  const rows = encodeCovariates(coding, covariates);
  if (rows.samples !== samples) throw new ShapeMismatchError(`covariates describe ${rows.samples} samples; expected one per sample of the data (${samples})`);
  const checked = checkOptions(options, 'fitCovariates: options');
  const names = checked.features === undefined ? undefined : checkStrings(checked.features, 'fitCovariates: options.features');
  if (names !== undefined && names.length !== features) throw new ShapeMismatchError(`options.features has ${names.length} names; expected one per feature (${features})`);
  const columns = ['(Intercept)', ...coding.columns];
  const p = columns.length;
  const q = p - 1;
  const design = new Float64Array(samples * p);
  for (let i = 0; i < samples; i++) {
    design[i * p] = 1;
    design.set(rows.covariates.subarray(i * q, (i + 1) * q), i * p + 1);
  }
  // Each term's design columns, and the series each is correlated with.
  let offset = 1;
  const layout = coding.terms.map((term) => {
    const width = term.kind === 'categorical' ? term.levels.length - 1 : term.kind === 'continuous' ? 1 : term.knots.length + 1;
    const own = Array.from({ length: width }, (_, k) => offset + k);
    offset += width;
    const series =
      term.kind === 'categorical'
        ? own.map((j) => ({ name: columns[j] as string, x: Float64Array.from({ length: samples }, (_, i) => design[i * p + j] as number) }))
        : [{ name: term.name, x: Float64Array.from(covariates.continuous?.[term.name] as ArrayLike<number>) }];
    return { term, own, kept: columns.map((_, j) => j).filter((j) => !own.includes(j)), series };
  });
  const coefficients = new Float64Array(p * features);
  const residuals = new Float64Array(samples * features).fill(NaN);
  const partialR2 = layout.map(() => new Float64Array(features));
  const correlation = layout.map(({ series }) => series.map(() => new Float64Array(features)));

  // Features with the same missing cells share their designs' QR decompositions: group them by
  // the samples they lack.
  const byMissing = new Map<string, { lacking: number[]; group: number[] }>();
  const missing: number[] = [];
  for (let v = 0; v < features; v++) {
    missing.length = 0;
    for (let i = 0; i < samples; i++) {
      const x = matrix.data[i * features + v] as number;
      if (Number.isNaN(x)) missing.push(i);
      else if (!Number.isFinite(x)) {
        const where: FeatureWhere = names === undefined ? { feature: v } : { feature: v, name: names[v] as string };
        throw new InvalidValueError(`${named(where)}value is ${x}; expected a finite number or NaN for a missing value`, { sample: i, feature: v });
      }
    }
    const key = missing.join(',');
    const pattern = byMissing.get(key);
    if (pattern === undefined) byMissing.set(key, { lacking: missing.slice(), group: [v] });
    else pattern.group.push(v);
  }
  // The design on all samples is checked first: its faults are the whole matrix's.
  const complete = new Fits(design, p, Array.from({ length: samples }, (_, i) => i), layout, columns);
  if (complete.fault !== null) {
    const { fault } = complete;
    if (fault.cause === 'too-few-values') throw new TooFewSamplesError(`${samples} samples; expected at least as many as the design's columns (${p}: the intercept and ${p - 1} covariate columns)`);
    const dependent = fault.columns as readonly string[];
    throw new ConfoundedDesignError(`the covariates are collinear on all samples: ${dependent.join(', ')} ${dependent.length === 1 ? 'adds' : 'add'} nothing to the columns before; expected full column rank`, [...dependent]);
  }
  const unfitted: UnfittedFeature[] = [];
  // Scratch for one feature's fit.
  const y = new Float64Array(samples);
  const residual = new Float64Array(samples);
  const beta = new Float64Array(p);
  const distance = new Float64Array(p);
  for (const { lacking, group } of byMissing.values()) {
    const fits = lacking.length === 0 ? complete : new Fits(design, p, present(samples, lacking), layout, columns);
    if (fits.fault === null) fitGroup(fits, group);
    else {
      for (const v of group) {
        unfitted.push({ feature: v, ...fits.fault });
        for (let k = 0; k < p; k++) coefficients[k * features + v] = NaN;
        partialR2.forEach((values) => (values[v] = NaN));
        correlation.forEach((series) => series.forEach((values) => (values[v] = NaN)));
      }
    }
  }
  unfitted.sort((a, b) => a.feature - b.feature);

  /**
   * Fits the features of `group` (all with finite values on the fits' rows). A term's reduced
   * model is fitted in the full design's coordinates: the residual sum of squares without the
   * term is the full fit's plus that of Q'y on the other columns of R (p values, not n), and that
   * second part is what the term explains, found without subtracting two sums of squares.
   */
  function fitGroup(fits: Fits, group: readonly number[]): void {
    const used = fits.rows;
    const full = fits.full as LeastSquares;
    const n = used.length;
    for (const v of group) {
      for (let r = 0; r < n; r++) y[r] = matrix.data[(used[r] as number) * features + v] as number;
      const rss = full.fit(y, residual, beta);
      for (let r = 0; r < n; r++) residuals[(used[r] as number) * features + v] = residual[r] as number;
      for (let k = 0; k < p; k++) coefficients[k * features + v] = beta[k] as number;
      fits.reduced.forEach((reduced, t) => {
        const explained = reduced.fit(full.qty, distance); // RSS without the term - RSS, with no cancellation
        (partialR2[t] as Float64Array)[v] = explained / (rss + explained);
      });
      layout.forEach(({ series }, t) => series.forEach(({ x }, s) => (((correlation[t] as Float64Array[])[s] as Float64Array)[v] = pearson(x, used, y))));
    }
  }

  return {
    columns,
    coefficients,
    residuals: { data: residuals, samples, features },
    terms: layout.map(({ term, own, series }, t) => ({
      name: term.name,
      kind: term.kind,
      columns: own.map((j) => columns[j] as string),
      partialR2: partialR2[t] as Float64Array,
      correlation: series.map(({ name }, s) => ({ name, values: (correlation[t] as Float64Array[])[s] as Float64Array })),
    })),
    unfitted,
  };
}

/**
 * The full design on a set of rows and each term's reduced design in its coordinates (the other
 * columns of R), or, when the rows are fewer than the columns or leave the design rank deficient,
 * the fault.
 */
class Fits {
  readonly full: LeastSquares | null = null;
  readonly reduced: LeastSquares[] = [];
  readonly fault: Omit<UnfittedFeature, 'feature'> | null = null;

  constructor(
    design: Float64Array,
    p: number,
    readonly rows: readonly number[],
    layout: readonly { kept: readonly number[] }[],
    columns: readonly string[],
  ) {
    if (rows.length < p) {
      this.fault = { cause: 'too-few-values' };
      return;
    }
    const fit = new LeastSquares(designOn(design, p, rows), rows.length, p);
    if (fit.deficient.length > 0) {
      this.fault = { cause: 'confounded', columns: fit.deficient.map((j) => columns[j] as string) };
      return;
    }
    this.full = fit;
    this.reduced = layout.map(({ kept }) => new LeastSquares(fit.triangle(kept), p, kept.length));
  }
}

/** The design on `rows`, column-major, from the row-major design of p columns. */
function designOn(design: Float64Array, p: number, rows: readonly number[]): Float64Array {
  const out = new Float64Array(rows.length * p);
  for (let j = 0; j < p; j++) rows.forEach((i, r) => (out[j * rows.length + r] = design[i * p + j] as number));
  return out;
}

/** The samples 0 to `samples` - 1 but those `lacking` (ascending). */
function present(samples: number, lacking: readonly number[]): number[] {
  const rows: number[] = [];
  let next = 0;
  for (let i = 0; i < samples; i++) {
    if (i === lacking[next]) next++;
    else rows.push(i);
  }
  return rows;
}

/** The Pearson correlation of x (at `rows`) with y (its values at the same rows, in order). */
function pearson(x: Float64Array, rows: readonly number[], y: Float64Array): number {
  const n = rows.length;
  let mx = 0;
  let my = 0;
  for (let r = 0; r < n; r++) {
    mx += x[rows[r] as number] as number;
    my += y[r] as number;
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let r = 0; r < n; r++) {
    const dx = (x[rows[r] as number] as number) - mx;
    const dy = (y[r] as number) - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxy / Math.sqrt(sxx * syy);
}
