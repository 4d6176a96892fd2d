import { checkInteger, checkObject, checkOptions, refuseArgument } from '@combat/base/internal';
import type { CombatModel } from '@combat/core';
import gammaln from '@stdlib/math-base-special-gammaln';
import gammainc from '@stdlib/math-base-special-gammainc';
import gammaQuantile from '@stdlib/stats-base-dists-gamma-quantile';
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import { bandwidth, kernelDensity } from './kernel-density.js';
import { kolmogorovSmirnov, type KolmogorovSmirnov } from './kolmogorov-smirnov.js';

/**
 * One batch's estimates of one parameter against the empirical-Bayes prior they were shrunk
 * towards: `gamma` (each feature's location estimate `gammaHat`) against the normal prior
 * N(mean `gammaBar`, sd `sqrt(t2)`), `delta` (the scale estimate `deltaHat`) against the inverse
 * gamma prior of shape `aPrior` and scale `bPrior` (1 / delta ~ Gamma(shape aPrior, rate
 * bPrior)). `parameters` are `[mean, sd]` or `[shape, scale]`; `features` counts the estimates
 * (the features the batch adjusts). What sva's `prior.plots` draws, as data: `density` (the
 * estimates' Gaussian kernel density, bandwidth R's `bw.nrd0`, and the prior's density, at `x`)
 * and `qq` (the prior's quantiles at R's `ppoints` against the sorted estimates; at most the
 * `quantiles` asked, evenly spaced in rank). `ks` is the Kolmogorov-Smirnov test of the estimates
 * against the prior, as R's `ks.test`: D, p and whether p is exact (fewer than 100 estimates). The
 * prior was fitted to these estimates (by moments), so p is larger than for a prior fixed
 * beforehand; with thousands of features D is the figure to read: the largest gap between the
 * two distribution functions.
 *
 * @example
 * ```ts
 * const [siteA] = priorFit(model).batches;
 * const gamma: PriorCheck = siteA!.gamma as PriorCheck;
 * [gamma.parameter, gamma.distribution, gamma.features, gamma.ks.exact]; // ['gamma', 'normal', 3, true]
 * [gamma.ks.statistic.toFixed(6), gamma.ks.p.toFixed(6)]; // ['0.348744', '0.736252']
 * ```
 */
export interface PriorCheck {
  readonly parameter: 'gamma' | 'delta';
  readonly distribution: 'normal' | 'inverse-gamma';
  readonly parameters: readonly [number, number];
  readonly features: number;
  readonly ks: KolmogorovSmirnov;
  readonly density: { readonly x: number[]; readonly estimate: number[]; readonly prior: number[]; readonly bandwidth: number };
  readonly qq: { readonly theoretical: number[]; readonly sample: number[] };
}

/**
 * Why a batch's parameter has no prior to check: `no-eb` (a model without empirical Bayes),
 * `non-parametric` (sva's non-parametric prior, which has no distribution), `reference-batch`
 * (the reference batch is not adjusted), `mean-only` (no scale is estimated), `no-spread` (the
 * prior's spread is 0 or not finite: all estimates equal), `too-few-features` (fewer than two
 * estimates).
 *
 * @example
 * ```ts
 * const cause: NoPriorCause = 'non-parametric';
 * cause; // 'non-parametric'
 * ```
 */
export type NoPriorCause = 'no-eb' | 'non-parametric' | 'reference-batch' | 'mean-only' | 'no-spread' | 'too-few-features';

/**
 * A parameter of a batch whose prior is not checked, and why.
 *
 * @example
 * ```ts
 * const none: NoPrior = priorFit({ ...model, options: { ...model.options, eb: false } }).batches[0]!.delta as NoPrior;
 * none; // { parameter: 'delta', cause: 'no-eb' }
 * ```
 */
export interface NoPrior {
  readonly parameter: 'gamma' | 'delta';
  readonly cause: NoPriorCause;
}

/**
 * The priors of one batch of a model: `gamma` and `delta` each checked ({@link PriorCheck}) or
 * not ({@link NoPrior}).
 *
 * @example
 * ```ts
 * const fit: BatchPriorFit = priorFit(model).batches[1]!;
 * [fit.batch, fit.samples, 'cause' in fit.delta]; // ['siteB', 4, false]
 * ```
 */
export interface BatchPriorFit {
  readonly batch: string;
  readonly samples: number;
  readonly gamma: PriorCheck | NoPrior;
  readonly delta: PriorCheck | NoPrior;
}

/**
 * The priors of a model, batch by batch (in the model's order), and the kind of prior the model
 * used: `parametric`, `non-parametric` or `none` (no empirical Bayes).
 *
 * @example
 * ```ts
 * const fit: PriorFit = priorFit(model);
 * [fit.prior, fit.batches.length]; // ['parametric', 2]
 * ```
 */
export interface PriorFit {
  readonly prior: 'parametric' | 'non-parametric' | 'none';
  readonly batches: readonly BatchPriorFit[];
}

/**
 * Options of {@link priorFit}: how many grid `points` the densities have (default 100, as sva's
 * plots) and at most how many `quantiles` the QQ data have (default 200).
 *
 * @example
 * ```ts
 * const options: PriorFitOptions = { points: 50, quantiles: 2 };
 * (priorFit(model, options).batches[0]!.gamma as PriorCheck).qq.sample.length; // 2
 * ```
 */
export interface PriorFitOptions {
  readonly points?: number;
  readonly quantiles?: number;
}

/**
 * How well the empirical-Bayes priors of a parametric model fit the estimates they shrink, per
 * batch: each batch's `gammaHat` against its normal prior and `deltaHat` against its inverse gamma
 * prior (see {@link PriorCheck}), over the features the batch adjusts, with plot-ready densities
 * and QQ points (what sva's `prior.plots` shows) and a Kolmogorov-Smirnov test as R's `ks.test`.
 * A model without empirical Bayes or with the non-parametric prior has no prior to check; nor has
 * a reference batch, nor the scale of a mean-only model (see {@link NoPriorCause}).
 *
 * @throws {@link InvalidArgumentError} when `model` is not a model or an option is not a whole
 * number of at least 2.
 *
 * @example
 * ```ts
 * const fit = priorFit(model);
 * const delta = fit.batches[0]!.delta as PriorCheck;
 * [delta.distribution, delta.density.x.length, delta.qq.theoretical.length]; // ['inverse-gamma', 100, 3]
 * priorFit({ ...model, options: { ...model.options, parametric: false } }).batches[0]!.gamma; // { parameter: 'gamma', cause: 'non-parametric' }
 * ```
 */
export function priorFit(model: CombatModel, options: PriorFitOptions = {}): PriorFit {
  checkObject(model, 'priorFit: model', 'a CombatModel');
  if (!(model.batches instanceof Map) || typeof model.options !== 'object' || model.options === null) refuseArgument('priorFit: model', 'a CombatModel', model);
  const checked = checkOptions(options, 'priorFit: options');
  const points = checked.points === undefined ? 100 : checkInteger(checked.points, 'priorFit: options.points', 2);
  const quantiles = checked.quantiles === undefined ? 200 : checkInteger(checked.quantiles, 'priorFit: options.quantiles', 2);
  const { eb, parametric, meanOnly } = model.options;
  const prior = !eb ? 'none' : parametric ? 'parametric' : 'non-parametric';
  const batches = [...model.batches].map(([batch, effects]): BatchPriorFit => {
    const none = (cause: NoPriorCause) => ({ gamma: { parameter: 'gamma', cause }, delta: { parameter: 'delta', cause } }) as const;
    const base = { batch, samples: effects.samples };
    if (!eb) return { ...base, ...none('no-eb') };
    if (!parametric) return { ...base, ...none('non-parametric') };
    if (batch === model.refBatch) return { ...base, ...none('reference-batch') };
    const used = (values: Float64Array) => Float64Array.from(values.filter((x, v) => effects.adjusted[v] === 1 && Number.isFinite(x))).sort();
    const sd = Math.sqrt(effects.t2);
    const gamma: PriorCheck | NoPrior = checkPrior('gamma', used(effects.gammaHat), effects.gammaBar, sd, points, quantiles);
    const delta: PriorCheck | NoPrior = meanOnly ? { parameter: 'delta', cause: 'mean-only' } : checkPrior('delta', used(effects.deltaHat), effects.aPrior, effects.bPrior, points, quantiles);
    return { ...base, gamma, delta };
  });
  return { prior, batches };
}

/** One parameter's sorted estimates against its prior (normal [mean, sd], or inverse gamma [shape, scale]). */
function checkPrior(parameter: 'gamma' | 'delta', sorted: Float64Array, first: number, second: number, points: number, quantiles: number): PriorCheck | NoPrior {
  if (sorted.length < 2) return { parameter, cause: 'too-few-features' };
  if (!(Number.isFinite(first) && Number.isFinite(second) && second > 0)) return { parameter, cause: 'no-spread' };
  const normal = parameter === 'gamma';
  const { cdf, pdf, quantile } = priorDistribution(parameter, first, second);
  const width = bandwidth(sorted, sorted);
  const { x, density } = kernelDensity(sorted, width, points);
  const n = sorted.length;
  const a = n <= 10 ? 3 / 8 : 1 / 2;
  const ranks = n <= quantiles ? Array.from({ length: n }, (_, i) => i) : Array.from({ length: quantiles }, (_, k) => Math.round((k * (n - 1)) / (quantiles - 1)));
  return {
    parameter,
    distribution: normal ? 'normal' : 'inverse-gamma',
    parameters: [first, second],
    features: n,
    ks: kolmogorovSmirnov(sorted, cdf),
    density: { x, estimate: density, prior: x.map(pdf), bandwidth: width },
    qq: { theoretical: ranks.map((i) => quantile((i + 1 - a) / (n + 1 - 2 * a))), sample: ranks.map((i) => sorted[i] as number) },
  };
}

/** The distribution, density and quantile functions of a prior: normal [mean, sd] for gamma, inverse gamma [shape, scale] for delta. */
export function priorDistribution(parameter: 'gamma' | 'delta', first: number, second: number): { cdf: (x: number) => number; pdf: (x: number) => number; quantile: (p: number) => number } {
  if (parameter === 'gamma') {
    return {
      cdf: (x) => normalCdf(x, first, second),
      pdf: (x) => Math.exp(-0.5 * ((x - first) / second) ** 2) / (second * Math.sqrt(2 * Math.PI)),
      quantile: (p) => normalQuantile(p, first, second),
    };
  }
  // 1 / delta ~ Gamma(shape, rate = scale): P(delta <= x) = P(Gamma > 1 / x), the upper regularized gamma at scale / x.
  return {
    cdf: (x) => (x > 0 ? gammainc(second / x, first, true, true) : 0),
    pdf: (x) => (x > 0 ? Math.exp(first * Math.log(second) - gammaln(first) - (first + 1) * Math.log(x) - second / x) : 0),
    quantile: (p) => 1 / gammaQuantile(1 - p, first, second),
  };
}
