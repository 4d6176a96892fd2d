import type { CovbatBatch } from './covbat-model.js';
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
  const z = new Float64Array(V);
  const change = new Float64Array(K);
  const sum = new Float64Array(V);
  for (let i = from; i < to; i++) {
    const batch = covbat.batches.get(rows.batch[i] as string) as CovbatBatch;
    const stand = standardMean(model, rows, i);
    const row = i * V;
    for (let v = 0; v < V; v++) z[v] = ((out[row + v] as number) - (stand[v] as number) - (center[v] as number)) / (sd[v] as number);
    for (let k = 0; k < K; k++) {
      let s = 0;
      for (let v = 0; v < V; v++) s += (z[v] as number) * (loadings[k * V + v] as number);
      const m = mean[k] as number;
      change[k] = m + (s - m - (batch.location[k] as number)) / (batch.scale[k] as number) - s;
    }
    // The change of every feature, summed over the components in order (component by component, so the loadings are read in sequence).
    sum.fill(0);
    for (let k = 0; k < K; k++) {
      const c = change[k] as number;
      for (let v = 0, at = k * V; v < V; v++, at++) sum[v] = (sum[v] as number) + c * (loadings[at] as number);
    }
    for (let v = 0; v < V; v++) out[row + v] = (out[row + v] as number) + (sd[v] as number) * (sum[v] as number);
  }
}
