import type { BatchStatistics, CombatStatistics } from './statistics.js';

/**
 * Statistics of consecutive ranges of features of the same samples (each from
 * `accumulateColumns`, in order) as the statistics of all those features: what accumulating
 * the whole matrix gives, bit for bit, since each feature's sums depend on its own values alone.
 */
export function joinStatistics(parts: readonly CombatStatistics[]): CombatStatistics {
  const [first] = parts;
  if (first === undefined) throw new RangeError('joinStatistics: no statistics to join');
  if (parts.length === 1) return first;
  const q = first.coding.columns.length;
  const V = parts.reduce((total, part) => total + part.features, 0);
  const batches = first.batches.map((batch, b): BatchStatistics => {
    const join = (pick: (part: BatchStatistics) => Float64Array) => {
      const joined = new Float64Array(V);
      let at = 0;
      for (const part of parts) {
        joined.set(pick(part.batches[b] as BatchStatistics), at);
        at += part.features;
      }
      return joined;
    };
    const covariateValueSum = new Float64Array(q * V);
    const missingFeatures: number[] = [];
    const missingSums: Float64Array[] = [];
    let at = 0;
    for (const part of parts) {
      const own = part.batches[b] as BatchStatistics;
      for (let k = 0; k < q; k++) covariateValueSum.set(own.covariateValueSum.subarray(k * part.features, (k + 1) * part.features), k * V + at);
      for (const v of own.missingFeatures) missingFeatures.push(at + v);
      missingSums.push(own.missingSums);
      at += part.features;
    }
    const sums = new Float64Array(missingSums.reduce((total, s) => total + s.length, 0));
    missingSums.reduce((offset, s) => (sums.set(s, offset), offset + s.length), 0);
    return {
      batch: batch.batch,
      samples: batch.samples,
      covariateSum: batch.covariateSum,
      covariateCross: batch.covariateCross,
      mean: join((part) => part.mean),
      deviationSum: join((part) => part.deviationSum),
      squares: join((part) => part.squares),
      covariateValueSum,
      missingFeatures: Int32Array.from(missingFeatures),
      missingSums: sums,
    };
  });
  return { ...first, features: V, batches };
}
