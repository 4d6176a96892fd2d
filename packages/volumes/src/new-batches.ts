import type { VolumeResource } from '@combat/base';
import {
  CombatAccumulator,
  TooFewSamplesError,
  UnknownBatchError,
  estimateBatchesFromStatistics,
  type CombatModel,
  type CombatWarning,
  type EncodedRows,
} from '@combat/core';
import { rowOf } from './covariates.js';
import type { VolumeEstimates } from './estimates.js';
import { nameVoxels } from './naming.js';
import type { AdjustVolumesOptions } from './options.js';
import { streamVolumes } from './volume-pass.js';

/**
 * The indices of the volumes whose batch the model has not seen, checked before any volume is
 * read: without `estimate` the first of them is an error naming the option that estimates it; with
 * it, a new batch of a single volume is one (a batch's scale needs two). The errors carry the
 * volume's index as `sample`.
 */
export function findNewBatchVolumes(model: CombatModel, rows: EncodedRows, estimate: boolean): number[] {
  const found = new Map<string, number[]>();
  rows.batch.forEach((label, i) => {
    if (model.batches.has(label)) return;
    if (!estimate) {
      throw new UnknownBatchError(
        `batch ${JSON.stringify(label)} was not seen in training (known: ${[...model.batches.keys()].join(', ')})`,
        { sample: i, remedy: { newBatches: 'estimate' } },
      );
    }
    found.set(label, [...(found.get(label) ?? []), i]);
  });
  for (const [label, indices] of found) {
    if (indices.length === 1) throw new TooFewSamplesError(`new batch ${label} has 1 volume; estimating a new batch needs at least 2`, { sample: indices[0] });
  }
  return [...found.values()].flat().sort((a, b) => a - b);
}

/**
 * The estimation pass of `adjustVolumes`: the volumes of new batches (`newVolumes`) are read one
 * at a time and their in-mask voxels accumulated; with `checkFirst` (the default) the pass reads
 * and checks every volume. Then core estimates the new batches from the statistics, with the fit
 * frozen. Returns the estimates with the extended model, and core's warnings of the estimation
 * (the `unadjusted-features` one naming voxels).
 */
export async function estimateNewBatches(
  estimates: VolumeEstimates,
  volumes: readonly VolumeResource[],
  rows: EncodedRows,
  newVolumes: readonly number[],
  options: AdjustVolumesOptions,
): Promise<{ estimates: VolumeEstimates; warnings: CombatWarning[] }> {
  const { model, mask } = estimates;
  const features = mask.indices.length;
  const accumulator = new CombatAccumulator(model.coding, features);
  const isNew = new Set(newVolumes);
  await streamVolumes(
    volumes,
    mask,
    options,
    'estimate',
    (row, _, i) => {
      if (isNew.has(i)) accumulator.addEncoded({ data: row, samples: 1, features }, rowOf(rows, i));
    },
    (options.checkFirst ?? true) ? {} : { indices: newVolumes },
  );
  const estimated = estimateBatchesFromStatistics(model, accumulator.statistics(), { maxIterations: options.maxIterations });
  return { estimates: { model: estimated.model, mask }, warnings: estimated.warnings.map((warning) => nameVoxels(warning, mask)) };
}
