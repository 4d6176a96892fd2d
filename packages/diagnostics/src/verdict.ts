import type { BatchTestName } from './batch-tests.js';
import type { PriorFit } from './prior-fit.js';

/**
 * The bounds the {@link Verdict} applies, each from 0 to 1: `siteEffect`, the largest share of
 * features with a batch effect (at the FDR) a test may find for the effect to count as absent
 * (default 0.05); `biology`, the largest drop of a covariate's median partial R^2 for it to
 * count as kept (0.05); `priors`, the largest Kolmogorov-Smirnov D for a prior to count as fitting
 * (0.1); `predictability`, how far above chance the batch classifier's accuracy may be for the
 * batch to count as unpredictable (0.1).
 *
 * @example
 * ```ts
 * const bounds: Bounds = { siteEffect: 0.05, biology: 0.05, priors: 0.1, predictability: 0.1 };
 * diagnose(matrix, harmonized, covariates, model, { folds: 4, bounds }).verdict.biology.bound; // 0.05
 * ```
 */
export interface Bounds {
  readonly siteEffect: number;
  readonly biology: number;
  readonly priors: number;
  readonly predictability: number;
}

// What the tests across batches say of a site effect (see Verdict).
type SiteEffectStatus = 'none-before' | 'removed' | 'remains' | 'untested';

/**
 * The answer first, as {@link diagnose} gives it:
 *
 * - `siteEffect`: per test the share of features with a batch effect at the FDR before and after
 *   and its status: `remains` when the share after is above the bound, `untested` when a share is
 *   missing (no feature could be tested), else `removed` when the share before was above it, else
 *   `none-before`. The overall `status`: `remains` when a test's does; `untested` when every
 *   test's is, or a test above the bound before could not be tested after (it may remain);
 *   `removed` when a test's is; else `none-before`.
 * - `biology`: per covariate its median partial R^2 before and after and the change; `status`
 *   `kept` when no covariate's falls by more than the bound, `changed` otherwise, `no-covariates`
 *   without any. A rise is expected: the batch variance leaves the residuals of the model without
 *   batch, so the covariates explain a larger share of what is left; a fall means harmonization
 *   removed variation the covariates explained (a covariate confounded with batch, say).
 * - `priors`: per batch the Kolmogorov-Smirnov D of gamma and delta against their priors (null
 *   where there is none); `status` `fit` when every D is within the bound, `poor` otherwise,
 *   `no-prior` when nothing was checked (no EB, non-parametric).
 * - `predictability`: the batch classifier's accuracy before and after, and chance; `status`
 *   `at-chance` when the accuracy after is at most chance plus the bound, else `above-chance`.
 *
 * Each block carries the bound it applied.
 *
 * @example
 * ```ts
 * const verdict: Verdict = diagnose(matrix, harmonized, covariates, model, { folds: 4 }).verdict;
 * [verdict.siteEffect.status, verdict.biology.status, verdict.priors.status, verdict.predictability.status]; // ['removed', 'changed', 'poor', 'at-chance']
 * ```
 */
export interface Verdict {
  readonly siteEffect: {
    readonly status: SiteEffectStatus;
    readonly bound: number;
    readonly tests: readonly { readonly test: BatchTestName; readonly before: number | null; readonly after: number | null; readonly status: SiteEffectStatus }[];
  };
  readonly biology: {
    readonly status: 'kept' | 'changed' | 'no-covariates';
    readonly bound: number;
    readonly terms: readonly { readonly name: string; readonly before: number | null; readonly after: number | null; readonly change: number | null }[];
  };
  readonly priors: {
    readonly status: 'fit' | 'poor' | 'no-prior';
    readonly bound: number;
    readonly batches: readonly { readonly batch: string; readonly gamma: number | null; readonly delta: number | null }[];
  };
  readonly predictability: {
    readonly status: 'at-chance' | 'above-chance';
    readonly bound: number;
    readonly before: number;
    readonly after: number;
    readonly chance: number;
  };
}

/** The verdict on the summaries {@link diagnose} gathered. */
export function verdictOf(
  tests: readonly { test: BatchTestName; before: { share: number | null }; after: { share: number | null } }[],
  terms: readonly { name: string; medianPartialR2: { before: number | null; after: number | null } }[],
  priors: PriorFit,
  predictability: { before: { accuracy: number; chance: number }; after: { accuracy: number } },
  bounds: Bounds,
): Verdict {
  const above = (share: number | null) => share !== null && share > bounds.siteEffect;
  const testRows = tests.map(({ test, before: { share: before }, after: { share: after } }) => {
    const status: SiteEffectStatus = above(after) ? 'remains' : before === null || after === null ? 'untested' : above(before) ? 'removed' : 'none-before';
    return { test, before, after, status };
  });
  const statuses = new Set(testRows.map((t) => t.status));
  const unknown = testRows.every((t) => t.status === 'untested') || testRows.some((t) => above(t.before) && t.after === null);
  const siteStatus: SiteEffectStatus = statuses.has('remains') ? 'remains' : unknown ? 'untested' : statuses.has('removed') ? 'removed' : 'none-before';
  const termRows = terms.map(({ name, medianPartialR2: { before, after } }) => ({ name, before, after, change: before === null || after === null ? null : after - before }));
  // A change that cannot be computed (a covariate explains nothing measurable) does not count as kept.
  const biologyStatus = termRows.length === 0 ? 'no-covariates' : termRows.every((t) => t.change !== null && t.change >= -bounds.biology) ? 'kept' : 'changed';
  const statistic = (check: { ks?: { statistic: number } }) => (check.ks === undefined ? null : check.ks.statistic);
  const priorRows = priors.batches.map((b) => ({ batch: b.batch, gamma: statistic(b.gamma as { ks?: { statistic: number } }), delta: statistic(b.delta as { ks?: { statistic: number } }) }));
  const checked = priorRows.flatMap((b) => [b.gamma, b.delta]).filter((d): d is number => d !== null);
  const priorStatus = checked.length === 0 ? 'no-prior' : checked.every((d) => d <= bounds.priors) ? 'fit' : 'poor';
  const { chance } = predictability.before;
  return {
    siteEffect: { status: siteStatus, bound: bounds.siteEffect, tests: testRows },
    biology: { status: biologyStatus, bound: bounds.biology, terms: termRows },
    priors: { status: priorStatus, bound: bounds.priors, batches: priorRows },
    predictability: {
      status: predictability.after.accuracy <= chance + bounds.predictability ? 'at-chance' : 'above-chance',
      bound: bounds.predictability,
      before: predictability.before.accuracy,
      after: predictability.after.accuracy,
      chance,
    },
  };
}
