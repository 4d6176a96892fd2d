import type { CovbatBatch } from './covbat-model.js';
import { combineRows, projectScores } from './covbat-products.js';
import type { EncodedRows } from './design.js';
import type { CombatModel } from './model.js';

/** A sample's covariate mean per feature: the grand mean plus its covariates' effects. */
export function standardMean(model: CombatModel, rows: EncodedRows, i: number): Float64Array {
  const V = model.features;
  const q = model.coding.columns.length;
  const stand = model.grandMean.slice();
  for (let k = 0; k < q; k++) {
    const c = rows.covariates[i * q + k] as number;
    if (c === 0) continue;
    for (let v = 0; v < V; v++) stand[v] = (stand[v] as number) + c * (model.beta[k * V + v] as number);
  }
  return stand;
}

/**
 * The CovBat part of a model applied to samples `from` to `to` (exclusive) of `out`, a
 * sample-major matrix of the model's features holding their ComBat output, in place: each
 * sample's scores on the model's components are moved by its batch's adjustment and the change
 * added back (see {@link CovbatModel}). Every sample's batch must be one of the model's.
 */
export function adjustCovbat(model: CombatModel, rows: EncodedRows, out: Float64Array, from: number, to: number): void {
  const covbat = model.covbat;
  if (covbat === undefined) return;
  const V = model.features;
  const K = covbat.components;
  const { center, sd, loadings, mean } = covbat;
  // A block of samples at a time: each tile of the loadings is read once for the block (see covbat-products.ts).
  const size = Math.min(BLOCK, Math.max(0, to - from));
  const z = new Float64Array(size * V);
  const sums = new Float64Array(size * V);
  for (let first = from; first < to; first += BLOCK) {
    const count = Math.min(BLOCK, to - first);
    for (let b = 0; b < count; b++) {
      const stand = standardMean(model, rows, first + b);
      const row = (first + b) * V;
      for (let v = 0; v < V; v++) z[b * V + v] = ((out[row + v] as number) - (stand[v] as number) - (center[v] as number)) / (sd[v] as number);
    }
    const change = projectScores(z, count, V, loadings, K);
    for (let b = 0; b < count; b++) {
      const batch = covbat.batches.get(rows.batch[first + b] as string) as CovbatBatch;
      for (let k = 0; k < K; k++) {
        const s = change[b * K + k] as number;
        const m = mean[k] as number;
        change[b * K + k] = m + (s - m - (batch.location[k] as number)) / (batch.scale[k] as number) - s;
      }
    }
    // The change of every feature, summed over the components in order.
    combineRows(change, count, K, loadings, V, sums);
    for (let b = 0; b < count; b++) {
      const row = (first + b) * V;
      for (let v = 0; v < V; v++) out[row + v] = (out[row + v] as number) + (sd[v] as number) * (sums[b * V + v] as number);
    }
  }
}

/** Samples adjusted together: their standardized residuals and changes (2 x BLOCK x V values) are held at once. */
const BLOCK = 32;
