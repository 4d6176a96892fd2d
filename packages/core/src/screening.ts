import type { CombatAccumulator } from './accumulator.js';
import type { CombatModel } from './model.js';
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
 * unless mean-only, a batch whose residual variance is zero (`Standardized.flatBatch`).
 */
export function screenFeatures(acc: CombatAccumulator, st: Standardized, meanOnly: boolean): Screen {
  const V = acc.features;
  const B = acc.coding.batches.length;
  const screen: Screen = { cause: new Uint8Array(V), batch: new Int32Array(V).fill(-1) };
  for (let b = 0; b < B; b++) {
    const batchSize = acc.count[b];
    for (let v = 0; v < V; v++) {
      if (screen.cause[v] !== 0) continue;
      const at = b * V + v;
      const m = st.finiteCount[at];
      if (m === 0) markCause(screen, v, 'no-value-in-batch', b);
      else if (!hasFiniteSums(acc, b, v)) markCause(screen, v, 'overflow', b);
      else if (!meanOnly && batchSize >= 2 && m < 2) markCause(screen, v, 'too-few-values-in-batch', b);
      // Sums of squares around the batch's own first value are 0 exactly when all values equal it.
      else if (batchSize >= 2 && m >= 2 && !(acc.sumSquares[at] > 0)) markCause(screen, v, 'constant-in-batch', b);
    }
  }
  for (let v = 0; v < V; v++) {
    if (screen.cause[v] !== 0) continue;
    if (st.status[v] === FIT.singular) markCause(screen, v, 'not-solvable', -1);
    else if (st.status[v] === FIT.overflow) markCause(screen, v, 'overflow', -1);
    else if (st.status[v] === FIT.exactFit) markCause(screen, v, 'zero-pooled-variance', -1);
  }
  if (meanOnly) return screen;
  for (let v = 0; v < V; v++) if (screen.cause[v] === 0 && st.flatBatch[v] >= 0) markCause(screen, v, 'zero-variance-in-batch', st.flatBatch[v]);
  return screen;
}

/**
 * Marks the features whose estimates the adjustment would use are not all finite (with a positive
 * pooled variance and positive deltas) as `overflow`: the last guard that keeps NaN and Infinity
 * out of adjusted values, for arithmetic that overflows after screening (e.g. the parametric
 * solver's products when standardized batch effects are around 1e120).
 */
export function screenEstimates(model: CombatModel, screen: Screen): void {
  const V = model.features;
  const B = model.batches.length;
  const p = model.coding.columns.length;
  const positive = (x: number) => x > 0 && x < Infinity;
  for (let v = 0; v < V; v++) {
    if (screen.cause[v] !== 0) continue;
    let usable = positive(model.varPooled[v]) && Number.isFinite(model.grandMean[v]);
    for (let j = 0; j < p && usable; j++) usable = Number.isFinite(model.beta[j * V + v]);
    let failed = -1;
    for (let b = 0; b < B && usable; b++) {
      const at = b * V + v;
      usable = Number.isFinite(model.gammaHat[at]) && Number.isFinite(model.gammaStar[at]) && positive(model.deltaHat[at]) && positive(model.deltaStar[at]);
      if (!usable) failed = b;
    }
    if (!usable) markCause(screen, v, 'overflow', failed);
  }
}

/** Sets feature v's cause (and batch, -1 for none). */
function markCause(screen: Screen, v: number, cause: UnadjustedCause, batch: number): void {
  screen.cause[v] = UNADJUSTED_CAUSES.indexOf(cause) + 1;
  screen.batch[v] = batch;
}

/** Whether batch b's sums of feature v (of y, y^2 and covariate times y) are all finite. */
function hasFiniteSums(acc: CombatAccumulator, b: number, v: number): boolean {
  const V = acc.features;
  const at = b * V + v;
  if (!Number.isFinite(acc.sum[at]) || !Number.isFinite(acc.sumSquares[at])) return false;
  for (let k = 0; k < acc.q; k++) if (!Number.isFinite(acc.covariateValueSum[(b * acc.q + k) * V + v])) return false;
  return true;
}
