import { seededRandom } from '@combat/base/internal';
import type { Covariates, DataMatrix } from '@combat/core';

/** Base's seeded generator (mulberry32), so property tests can rebuild a data set from a seed. */
export { seededRandom as random };

function normal(next: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
}

export interface SyntheticSpec {
  seed: number;
  batchSizes: number[];
  features: number;
  /** Share of cells set to NaN (features 0 and 1 stay complete, so EB always has two). */
  missing?: number;
}

/**
 * Multi-site data with additive and multiplicative site effects, an age effect and a sex effect:
 * `y = base + age * slope + male * sexEffect + siteShift + siteScale * noise`. Sexes alternate
 * within each site, so the design is never confounded.
 */
export function syntheticData(spec: SyntheticSpec): { matrix: DataMatrix; covariates: Required<Covariates> } {
  const next = seededRandom(spec.seed);
  const V = spec.features;
  const n = spec.batchSizes.reduce((a, b) => a + b, 0);
  const base = Array.from({ length: V }, () => 10 + 5 * next());
  const slope = Array.from({ length: V }, () => 0.05 * normal(next));
  const sexEffect = Array.from({ length: V }, () => normal(next));
  const batch: string[] = [];
  const sex: string[] = [];
  const age = new Float64Array(n);
  const data = new Float64Array(n * V);
  let i = 0;
  spec.batchSizes.forEach((size, b) => {
    const shift = Array.from({ length: V }, () => 2 * normal(next));
    const scale = Array.from({ length: V }, () => 0.5 + 2 * next());
    for (let k = 0; k < size; k++, i++) {
      batch.push(`site${String.fromCharCode(65 + b)}`);
      sex.push(k % 2 === 0 ? 'F' : 'M');
      age[i] = 20 + 60 * next();
      for (let v = 0; v < V; v++) {
        const y = base[v] + slope[v] * age[i] + (k % 2) * sexEffect[v] + shift[v] + scale[v] * normal(next);
        data[i * V + v] = spec.missing !== undefined && v >= 2 && next() < spec.missing ? NaN : y;
      }
    }
  });
  return { matrix: { data, samples: n, features: V }, covariates: { batch, categorical: { sex }, continuous: { age } } };
}

/** The samples `order` of a matrix (its rows) and of its covariates, in that order. */
export function selectSamples(matrix: DataMatrix, covariates: Required<Covariates>, order: readonly number[]): { matrix: DataMatrix; covariates: Required<Covariates> } {
  const V = matrix.features;
  const data = new Float64Array(order.length * V);
  order.forEach((row, i) => data.set(matrix.data.subarray(row * V, (row + 1) * V), i * V));
  const pick = <T>(values: ArrayLike<T>) => order.map((row) => values[row] as T);
  return {
    matrix: { data, samples: order.length, features: V },
    covariates: {
      batch: pick(covariates.batch),
      categorical: Object.fromEntries(Object.entries(covariates.categorical).map(([k, v]) => [k, pick(v)])),
      continuous: Object.fromEntries(Object.entries(covariates.continuous).map(([k, v]) => [k, Float64Array.from(pick(v))])),
    },
  };
}
