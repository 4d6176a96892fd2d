import { allocateLocal, type Allocate } from './allocate.js';
import type { BatchEffects } from './model.js';
import type { BatchStatistics, CombatStatistics } from './statistics.js';
import { FIT, type Standardized } from './standardize.js';
import type { UnadjustedCause } from './types.js';

/**
 * Which features a fit leaves unadjusted, and why (section 6 of docs/combat-spec.md, and what
 * float64 cannot hold): per feature a cause (0 = adjusted, else 1 + its index in
 * {@link UNADJUSTED_CAUSES}) and the batch it concerns (-1 for none). A feature keeps the first
 * cause found.
 */
export interface Screen {
  readonly cause: Uint8Array;
  readonly batch: Int32Array;
}

/** The causes, in the order they are checked (see `UnadjustedReason` for their meaning). */
export const UNADJUSTED_CAUSES: readonly UnadjustedCause[] = [
  'no-value-in-batch',
  'overflow',
  'too-few-values-in-batch',
  'constant-in-batch',
  'not-solvable',
  'zero-pooled-variance',
  'zero-variance-in-batch',
];

/**
 * Screens every feature before the batch effects are estimated: batch by batch, the accumulated
 * values (no finite value, sums that overflowed, a single value in a batch of two or more unless
 * mean-only, constant values); then the regression (not solvable, overflow, an exact fit); then,
 * unless mean-only, a batch whose residual variance is zero (`Standardized.flatBatch`). The
 * statistics may be of a range of the features; `allocate` gives the screen's memory.
 */
export function screenFeatures(statistics: CombatStatistics, st: Standardized, meanOnly: boolean, allocate: Allocate = allocateLocal): Screen {
  const V = statistics.features;
  const screen: Screen = { cause: new Uint8Array(allocate(V)), batch: new Int32Array(allocate(V * 4)).fill(-1) };
  statistics.batches.forEach((batch, b) => {
    for (let v = 0; v < V; v++) {
      if (screen.cause[v] !== 0) continue;
      const cause = screenBatchFeature(batch, v, st.finiteCount[b * V + v] as number, meanOnly);
      if (cause !== null) markCause(screen, v, cause, b);
    }
  });
  for (let v = 0; v < V; v++) {
    if (screen.cause[v] !== 0) continue;
    if (st.status[v] === FIT.singular) markCause(screen, v, 'not-solvable', -1);
    else if (st.status[v] === FIT.overflow) markCause(screen, v, 'overflow', -1);
    else if (st.status[v] === FIT.exactFit) markCause(screen, v, 'zero-pooled-variance', -1);
  }
  if (meanOnly) return screen;
  for (let v = 0; v < V; v++) if (screen.cause[v] === 0 && st.flatBatch[v]! >= 0) markCause(screen, v, 'zero-variance-in-batch', st.flatBatch[v]!);
  return screen;
}

/**
 * What rules out a batch's values of feature v, from its own sums (`finite` cells): no finite
 * value, sums that overflowed, a single value in a batch of two or more (unless mean-only), or
 * constant values (their squared deviations from their mean add up to exactly 0); null when none does.
 */
export function screenBatchFeature(batch: BatchStatistics, v: number, finite: number, meanOnly: boolean): UnadjustedCause | null {
  if (finite === 0) return 'no-value-in-batch';
  if (!hasFiniteSums(batch, v)) return 'overflow';
  if (!meanOnly && batch.samples >= 2 && finite < 2) return 'too-few-values-in-batch';
  if (batch.samples >= 2 && finite >= 2 && !((batch.squares[v] as number) > 0)) return 'constant-in-batch';
  return null;
}

/**
 * Marks the features whose estimates the adjustment would use are not all finite (with a positive
 * pooled variance and positive deltas) as `overflow`: the last guard that keeps NaN and Infinity
 * out of adjusted values, for arithmetic that overflows after screening (e.g. the parametric
 * solver's products when standardized batch effects are around 1e120). The screen may be of the
 * model's features `from` to `from + screen.cause.length`.
 */
export function screenEstimates(
  model: { readonly varPooled: Float64Array; readonly grandMean: Float64Array; readonly beta: Float64Array },
  batches: readonly Pick<BatchEffects, 'gammaHat' | 'deltaHat' | 'gammaStar' | 'deltaStar'>[],
  screen: Screen,
  from = 0,
): void {
  const V = model.varPooled.length;
  const q = model.beta.length / V;
  for (let local = 0; local < screen.cause.length; local++) {
    const v = from + local;
    if (screen.cause[local] !== 0) continue;
    let usable = isPositive(model.varPooled[v] as number) && Number.isFinite(model.grandMean[v]);
    for (let k = 0; k < q && usable; k++) usable = Number.isFinite(model.beta[k * V + v]);
    let failed = -1;
    for (let b = 0; b < batches.length && usable; b++) {
      usable = hasUsableEstimates(batches[b]!, v);
      if (!usable) failed = b;
    }
    if (!usable) markCause(screen, local, 'overflow', failed);
  }
}

/** Whether a batch's estimates of feature v are finite, with positive deltas. */
export function hasUsableEstimates(batch: Pick<BatchEffects, 'gammaHat' | 'deltaHat' | 'gammaStar' | 'deltaStar'>, v: number): boolean {
  return Number.isFinite(batch.gammaHat[v]) && Number.isFinite(batch.gammaStar[v]) && isPositive(batch.deltaHat[v] as number) && isPositive(batch.deltaStar[v] as number);
}

const isPositive = (x: number): boolean => x > 0 && x < Infinity;

/** Sets feature v's cause (and batch, -1 for none). */
export function markCause(screen: Screen, v: number, cause: UnadjustedCause, batch: number): void {
  screen.cause[v] = UNADJUSTED_CAUSES.indexOf(cause) + 1;
  screen.batch[v] = batch;
}

/** Whether a batch's sums of feature v (its mean, squares and covariate-by-value sums) are all finite. */
function hasFiniteSums(batch: BatchStatistics, v: number): boolean {
  if (!Number.isFinite(batch.mean[v]) || !Number.isFinite(batch.squares[v])) return false;
  const V = batch.mean.length;
  const q = batch.covariateSum.length;
  for (let k = 0; k < q; k++) if (!Number.isFinite(batch.covariateValueSum[k * V + v])) return false;
  return true;
}
