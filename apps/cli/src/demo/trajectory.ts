import { encodeCovariates } from '@combat/core';
import type { VolumeEstimates } from '@combat/volumes';

/**
 * A fitted trajectory of the mean in-mask value against a continuous covariate: after
 * harmonization one for every scanner (the covariate effects and the grand mean, averaged over the
 * adjusted voxels), before it each scanner's (that curve moved by the scanner's estimated location
 * effect, `sqrt(varPooled) * gammaHat`, averaged likewise).
 */
export interface Trajectory {
  readonly covariate: string;
  readonly at: readonly number[];
  readonly after: readonly number[];
  readonly before: ReadonlyMap<string, readonly number[]>;
}

/**
 * The trajectory of a model whose only covariate is `covariate`, at the values `at`, averaged over
 * the voxels the model adjusts (every in-mask voxel in the demo); undefined when it adjusts none.
 */
export function fittedTrajectory({ model }: VolumeEstimates, covariate: string, at: readonly number[]): Trajectory | undefined {
  const V = model.features;
  const q = model.coding.columns.length;
  const [anyBatch] = model.batches.keys();
  const rows = encodeCovariates(model.coding, { batch: at.map(() => anyBatch as string), continuous: { [covariate]: at } }).covariates;
  const voxels: number[] = [];
  for (let v = 0; v < V; v++) if (model.adjusted[v] === 1) voxels.push(v);
  if (voxels.length === 0) return undefined;
  const after = at.map((_, g) => {
    let total = 0;
    for (const v of voxels) {
      let stand = model.grandMean[v] as number;
      for (let k = 0; k < q; k++) stand += (rows[g * q + k] as number) * (model.beta[k * V + v] as number);
      total += stand;
    }
    return total / voxels.length;
  });
  const before = new Map(
    [...model.batches].map(([batch, effects]) => {
      let shift = 0;
      for (const v of voxels) shift += Math.sqrt(model.varPooled[v] as number) * (effects.gammaHat[v] as number);
      return [batch, after.map((y) => y + shift / voxels.length)] as const;
    }),
  );
  return { covariate, at, after, before };
}
