import { isRecord, refuseArgument } from '@combat/base/internal';
import type { DesignCoding } from './design.js';
import { UNADJUSTED_CAUSES, type Screen } from './screening.js';
import type { CombatWarning, UnadjustedCause, UnadjustedReason } from './types.js';

/**
 * The `unadjusted-features` warning for a screened fit, or null when every feature is adjusted:
 * the indices, a reason aligned with each, and a message that groups them by reason.
 */
export function buildUnadjustedWarning(screen: Screen, batches: readonly string[]): Extract<CombatWarning, { code: 'unadjusted-features' }> | null {
  const features: number[] = [];
  const reasons: UnadjustedReason[] = [];
  screen.cause.forEach((code, v) => {
    if (code === 0) return;
    const batch = screen.batch[v] as number;
    features.push(v);
    reasons.push({ cause: UNADJUSTED_CAUSES[code - 1] as UnadjustedCause, ...(batch >= 0 ? { batch: batches[batch] as string } : {}) });
  });
  if (features.length === 0) return null;
  return { code: 'unadjusted-features', features, reasons, message: `${features.length} feature(s) left unadjusted: ${describeUnadjusted(features, reasons)}` };
}

/**
 * Unadjusted features grouped by reason, in order of first appearance, each group with up to 10
 * labels (the 0-based indices of an `unadjusted-features` warning, or names an application gives
 * those features), `reasons[k]` being the reason of `features[k]`.
 *
 * @throws {@link InvalidArgumentError} when `features` and `reasons` are not arrays of one length,
 * or a reason has no known `cause`.
 *
 * @example
 * ```ts
 * describeUnadjusted(['lh_insula'], [{ cause: 'no-value-in-batch', batch: 'siteC' }]); // 'no finite value in batch siteC: lh_insula'
 * const constant = { cause: 'constant-in-batch', batch: 'siteA' } as const;
 * describeUnadjusted([0, 1, 7], [constant, constant, { cause: 'overflow' }]); // 'constant within batch siteA: 0, 1; values too large for float64 (an estimate overflowed): 7'
 * ```
 */
export function describeUnadjusted(features: readonly (number | string)[], reasons: readonly UnadjustedReason[]): string {
  if (!Array.isArray(features) || !Array.isArray(reasons) || features.length !== reasons.length) {
    if (!Array.isArray(features)) refuseArgument('describeUnadjusted: features', 'an array of feature names or indices', features);
    refuseArgument('describeUnadjusted: reasons', `an array of ${features.length} reasons, one per feature`, reasons);
  }
  reasons.forEach((reason: unknown, k) => {
    if (!isRecord(reason) || !UNADJUSTED_CAUSES.includes(reason.cause as UnadjustedCause)) {
      refuseArgument(`describeUnadjusted: reasons[${k}]`, '{ cause, batch? } with a cause of UnadjustedCause', reason);
    }
  });
  const groups = new Map<string, (number | string)[]>();
  reasons.forEach((reason, k) => {
    const text = describeReason(reason);
    groups.set(text, [...(groups.get(text) ?? []), features[k] as number | string]);
  });
  return [...groups].map(([text, list]) => `${text}: ${list.slice(0, 10).join(', ')}${list.length > 10 ? `, ... (${list.length})` : ''}`).join('; ');
}

function describeReason({ cause, batch }: UnadjustedReason): string {
  switch (cause) {
    case 'no-value-in-batch':
      return `no finite value in batch ${batch}`;
    case 'overflow':
      return `values too large for float64 (${batch === undefined ? 'an estimate' : `a sum in batch ${batch}`} overflowed)`;
    case 'too-few-values-in-batch':
      return `a single finite value in batch ${batch}`;
    case 'constant-in-batch':
      return `constant within batch ${batch}`;
    case 'not-solvable':
      return 'missing cells leave the regression unsolvable';
    case 'zero-pooled-variance':
      return 'zero pooled variance (the covariates fit exactly)';
    case 'zero-variance-in-batch':
      return `zero residual variance within batch ${batch}`;
  }
}

/**
 * `many-levels` warnings: one per categorical covariate whose coded columns (levels - 1) are more
 * than a quarter of the samples, i.e. fewer than 4 samples per estimated level effect on average.
 * Such a covariate (typically an age or an identifier given as categorical) absorbs much of the
 * residual variance the batch effects are estimated from.
 */
export function buildManyLevelsWarnings(coding: DesignCoding, samples: number): CombatWarning[] {
  return coding.terms
    .flatMap((term) => (term.kind === 'categorical' && term.levels.length - 1 > samples / 4 ? [term] : []))
    .map(({ name, levels }) => ({
      code: 'many-levels' as const,
      covariate: name,
      levels: levels.length,
      samples,
      message: `categorical covariate ${name} has ${levels.length} levels for ${samples} samples (fewer than 4 samples per level effect on average); if its values are numbers (an age), give it as a continuous covariate`,
    }));
}
