import { checkInteger, checkOptions, refuseArgument } from '@combat/base/internal';
import { checkFitOptions } from './arguments.js';
import { adjustCovbat, standardMean } from './covbat-adjust.js';
import type { CovbatBatch, CovbatModel } from './covbat-model.js';
import { projectScores } from './covbat-products.js';
import { encodeCovariates, type EncodedRows } from './design.js';
import { InvalidValueError, TooFewFeaturesError, TooFewSamplesError } from './errors.js';
import { harmonize, type HarmonizeResult } from './harmonize.js';
import { checkComplete, checkInputs } from './input-checks.js';
import type { CombatModel } from './model.js';
import { principalComponents } from './principal-components.js';
import type { CombatOptions, CombatWarning, Covariates, DataMatrix } from './types.js';
import { describeUnadjusted } from './warnings.js';

/**
 * The options of {@link harmonizeCovbat}: ComBat's (without a reference batch), and how many
 * leading principal components of the harmonized residuals CovBat harmonizes: the smallest number
 * whose cumulative share of the variance exceeds `variance` (default 0.95, as CovBat's
 * `percent.var`), or exactly `components` (CovBat's `n.pc`); not both.
 *
 * @example
 * ```ts
 * const options: CovbatOptions = { parametric: false, variance: 0.8 };
 * harmonizeCovbat(matrix, covariates, options).model.options.parametric; // false
 * ```
 */
export interface CovbatOptions extends CombatOptions {
  /** The share of the residuals' variance the harmonized components must exceed, in (0, 1]. */
  readonly variance?: number;
  /** The number of leading components to harmonize, instead of `variance`. */
  readonly components?: number;
}

/** How many components to harmonize, as checked. */
export type ComponentChoice = { readonly variance: number } | { readonly components: number };

/**
 * What {@link harmonizeCovbat} returns: {@link HarmonizeResult}'s data (CovBat's output), model
 * (with its `covbat` part) and warnings (the ComBat step's, then the score step's: a batch of one
 * sample makes it mean-only, `covbat-mean-only`; a component whose scores are constant within a
 * batch passes unadjusted, `covbat-unadjusted-components`; see {@link CombatWarning}), and the
 * ComBat step's output (`combat`), the number of components harmonized, the share of the variance
 * they explain, and the cumulative share of every component (`cumulativeVariance`, min(samples,
 * features) values, as R's `cumsum(prcomp(...)$sdev^2) / sum(...)`).
 *
 * @example
 * ```ts
 * const result: CovbatResult = harmonizeCovbat(matrix, covariates, { components: 2 });
 * result.components; // 2
 * result.variance === result.cumulativeVariance[1]; // true
 * result.combat; // harmonize(matrix, covariates).data
 * ```
 */
export interface CovbatResult extends HarmonizeResult {
  readonly combat: Float64Array;
  readonly components: number;
  readonly variance: number;
  readonly cumulativeVariance: Float64Array;
}

/**
 * CovBat (Chen et al., Human Brain Mapping 2022): ComBat, then the covariance between features
 * harmonized too, with the semantics of its authors' R code (`covbat`, `std.var = TRUE`,
 * `score.eb = FALSE`). After ComBat ({@link harmonize}, with its options), the residuals (the
 * harmonized values minus each sample's covariate mean) are centred and scaled to unit variance
 * per feature (sd with n - 1); their leading principal components are chosen by `variance` or
 * `components`; each component's scores are aligned across batches by ComBat's location and scale
 * step without empirical Bayes or covariates; the data are rebuilt from the scores and the
 * covariate means added back. The principal components come from ml-matrix's symmetric eigenvalue
 * decomposition of the features' correlation matrix, or of the samples' n x n Gram matrix when
 * features outnumber samples; the output does not depend on the sign of a component. The model
 * keeps what applying needs (`model.covbat`, see {@link CovbatModel}), so {@link applyCombat}
 * adjusts new samples of the training batches the same way. CovBat needs complete data and every
 * feature fitted by ComBat.
 *
 * @throws what {@link harmonize} throws, and:
 * @throws {@link InvalidArgumentError} when `variance` is not in (0, 1], `components` is not a
 * positive integer, both are given, or `refBatch` is given (CovBat has no reference batch).
 * @throws {@link InvalidValueError} when a data value is missing (NaN), or ComBat left a feature
 * unadjusted (see the `unadjusted-features` warning of {@link harmonize}).
 * @throws {@link TooFewSamplesError} when more components are asked for than the samples give
 * (at most samples - 1), and {@link TooFewFeaturesError} when more than the features.
 *
 * @example
 * ```ts
 * import { harmonizeCovbat } from '@combat/core';
 *
 * const { data, model, components, variance } = harmonizeCovbat(matrix, covariates, { variance: 0.9 });
 * components; // 2
 * variance > 0.9; // true
 * data.length; // 24
 * model.covbat!.components; // 2
 * harmonizeCovbat(matrix, covariates, { components: 4 });
 * // throws TooFewFeaturesError: 4 components requested; 3 features give at most 3
 * ```
 */
export function harmonizeCovbat(matrix: DataMatrix, covariates: Covariates, options: CovbatOptions = {}): CovbatResult {
  const given = checkOptions(options, 'harmonizeCovbat: options', 'an object { eb?, parametric?, meanOnly?, maxIterations?, splines?, variance?, components? }');
  const choice = checkCovbatChoice(given, 'harmonizeCovbat');
  checkFitOptions(given, 'harmonizeCovbat');
  checkInputs(matrix, covariates, matrix.features, 'harmonizeCovbat');
  checkComplete(matrix);
  const { variance: _variance, components: _components, ...combatOptions } = options;
  const { data: combat, model, warnings } = harmonize(matrix, covariates, combatOptions);
  const rows = encodeCovariates(model.coding, covariates);
  const fitted = fitCovbat(model, combat, rows, choice);
  const data = combat.slice();
  adjustCovbat(fitted.model, rows, data, 0, rows.samples);
  return { ...fitted, data, combat, warnings: [...warnings, ...fitted.warnings] };
}

/**
 * Checks the CovBat options among a fit's options: `variance` in (0, 1], `components` a positive
 * integer, not both, and no reference batch; returns the choice (`variance` 0.95 by default).
 *
 * @throws {@link InvalidArgumentError} naming `fn` and the option.
 */
function checkCovbatChoice(given: Record<string, unknown>, fn: string): ComponentChoice {
  const { variance, components, refBatch } = given;
  if (refBatch !== undefined && refBatch !== null) refuseArgument(`${fn}: options.refBatch`, 'null (CovBat has no reference batch)', refBatch);
  if (variance !== undefined && components !== undefined) refuseArgument(`${fn}: options.components`, 'undefined when options.variance is given (give one of them)', components);
  if (components !== undefined) return { components: checkInteger(components, `${fn}: options.components`, 1) };
  if (variance !== undefined && !(typeof variance === 'number' && variance > 0 && variance <= 1)) refuseArgument(`${fn}: options.variance`, 'a share of variance in (0, 1]', variance);
  return { variance: (variance as number | undefined) ?? 0.95 };
}

/** What {@link fitCovbat} returns: the model with its `covbat` part, the components' figures, and the score step's warnings. */
export interface CovbatFit {
  readonly model: CombatModel;
  readonly components: number;
  readonly variance: number;
  readonly cumulativeVariance: Float64Array;
  readonly warnings: CombatWarning[];
}

/**
 * The CovBat step on a ComBat fit (the model's residuals are the ComBat output minus each
 * sample's covariate mean): the model with its `covbat` part, without adjusting any sample
 * (`combat`, the ComBat output of the samples of `rows`, is not modified; {@link adjustCovbat}
 * or `applyEncoded` adjusts with the model), and the score step's warnings (`covbat-mean-only`,
 * `covbat-unadjusted-components`).
 *
 * @throws {@link InvalidValueError}, {@link TooFewSamplesError}, {@link TooFewFeaturesError} as
 * {@link harmonizeCovbat} does.
 */
export function fitCovbat(model: CombatModel, combat: Float64Array, rows: EncodedRows, choice: ComponentChoice): CovbatFit {
  const V = model.features;
  const n = rows.samples;
  const unadjusted = model.adjusted.indexOf(0);
  if (unadjusted >= 0) throw new InvalidValueError('ComBat left this feature unadjusted (see the unadjusted-features warning); CovBat needs every feature fitted: remove it', { feature: unadjusted });
  const most = Math.min(n - 1, V);
  if ('components' in choice && choice.components > most) {
    const [Failure, source] = n - 1 < V ? [TooFewSamplesError, `${n} samples give at most ${n - 1}`] : [TooFewFeaturesError, `${V} features give at most ${V}`];
    throw new Failure(`${choice.components} components requested; ${source}`);
  }
  // The residuals, centred and scaled per feature.
  const z = new Float64Array(n * V);
  for (let i = 0; i < n; i++) {
    const stand = standardMean(model, rows, i);
    for (let v = 0; v < V; v++) z[i * V + v] = (combat[i * V + v] as number) - (stand[v] as number);
  }
  const center = new Float64Array(V);
  const sds = new Float64Array(V);
  for (let v = 0; v < V; v++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += z[i * V + v] as number;
    const mean = sum / n;
    let squares = 0;
    for (let i = 0; i < n; i++) squares += ((z[i * V + v] as number) - mean) ** 2;
    const sd = Math.sqrt(squares / (n - 1));
    if (!(sd > 0 && sd < Infinity)) throw new InvalidValueError(`the ComBat residuals have standard deviation ${sd}; CovBat scales every feature to unit variance and needs a positive one`, { feature: v });
    center[v] = mean;
    sds[v] = sd;
    for (let i = 0; i < n; i++) z[i * V + v] = ((z[i * V + v] as number) - mean) / sd;
  }
  let cumulativeVariance = new Float64Array(0);
  const { loadings, components } = principalComponents(z, n, V, (variances) => {
    let total = 0;
    for (const x of variances) total += x;
    let running = 0;
    cumulativeVariance = Float64Array.from(variances, (x) => (running += x) / total);
    if ('components' in choice) return choice.components;
    const first = cumulativeVariance.findIndex((share) => share > choice.variance);
    return first < 0 ? most : Math.min(first + 1, most);
  });
  // Each component's scores aligned across batches: ComBat without covariates or empirical Bayes.
  const K = components;
  const scores = projectScores(z, n, V, loadings, K);
  const { model: scoreModel, warnings: scoreWarnings } = harmonize({ data: scores, samples: n, features: K }, { batch: rows.batch }, { eb: false });
  const mean = Float64Array.from(scoreModel.grandMean, (m, k) => (scoreModel.adjusted[k] === 1 ? m : 0));
  const batches = new Map(
    [...scoreModel.batches].map(([label, effects]): [string, CovbatBatch] => {
      const location = new Float64Array(K);
      const spread = new Float64Array(K).fill(1);
      for (let k = 0; k < K; k++) {
        if (effects.adjusted[k] !== 1) continue;
        location[k] = Math.sqrt(scoreModel.varPooled[k] as number) * (effects.gammaStar[k] as number);
        spread[k] = Math.sqrt(effects.deltaStar[k] as number);
      }
      return [label, { location, scale: spread }];
    }),
  );
  const variance = cumulativeVariance[K - 1] as number;
  const covbat: CovbatModel = { components: K, variance: Math.min(1, variance), center, sd: sds, loadings, mean, batches };
  return { model: { ...model, covbat }, components: K, variance, cumulativeVariance, warnings: scoreWarnings.flatMap(describeScoreWarning) };
}

/**
 * A warning of the score step (a ComBat fit whose features are the components) as CovBat's: a
 * batch of one sample makes it mean-only; a component it leaves unadjusted is named as one.
 */
function describeScoreWarning(warning: CombatWarning): CombatWarning[] {
  if (warning.code === 'singleton-batch') {
    const { batches } = warning;
    return [{ code: 'covbat-mean-only', batches, message: `batch ${batches.join(', ')} has a single sample: CovBat's score step switched to mean-only (the components' scores are moved, not rescaled)` }];
  }
  if (warning.code === 'unadjusted-features') {
    const { features: components, reasons } = warning;
    const names = components.map((k) => `PC${k + 1}`);
    return [{ code: 'covbat-unadjusted-components', components, reasons, message: `${components.length} CovBat component(s) left unadjusted by the score step: ${describeUnadjusted(names, reasons)}` }];
  }
  return [];
}
