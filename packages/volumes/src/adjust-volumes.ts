import type { Volume, VolumeResource } from '@combat/base';
import { checkFunction } from '@combat/base/internal';
import { applyEncoded, encodeCovariates, rangeWarnings, type CombatWarning, type Covariates, type EncodedRows } from '@combat/core';
import { requireResources } from './arguments.js';
import { requireCovariates, rowOf } from './covariates.js';
import { requireEstimates, type VolumeEstimates } from './estimates.js';
import { unflattenMasked } from './mask.js';
import { nameVolumes, volumeSource } from './naming.js';
import { estimateNewBatches, findNewBatchVolumes } from './new-batches.js';
import { requireAdjustOptions, type AdjustOptions, type AdjustVolumesOptions } from './options.js';
import { streamVolumes } from './volume-pass.js';

/**
 * Receives each harmonized volume as soon as it is ready, with its index in the input order.
 *
 * @example
 * ```ts
 * const means: number[] = [];
 * const sink: VolumeSink = (volume, index) => void (means[index] = (volume.data[0] + volume.data[1] + volume.data[3]) / 3);
 * await harmonizeVolumesStreaming(volumes, covariates, sink, { mask });
 * means.length; // 6
 * ```
 */
export type VolumeSink<H = unknown> = (volume: Volume<H>, index: number) => void | Promise<void>;

/**
 * What {@link adjustVolumes} returns: the estimates that adjusted the volumes (those given, or,
 * when new batches were estimated, with the model extended by them: save it to adjust more
 * subjects of those batches without estimating them again), and the warnings: core's
 * `outside-training-range` (volumes whose continuous covariates lie outside the training range;
 * `samples` are volume indices) and those of estimating new batches.
 *
 * @example
 * ```ts
 * const result: AdjustVolumesResult = await adjustVolumes(estimates, volumes, covariates, () => {});
 * result.estimates === estimates; // true
 * result.warnings; // []
 * ```
 */
export interface AdjustVolumesResult {
  readonly estimates: VolumeEstimates;
  readonly warnings: CombatWarning[];
}

/**
 * Applies fitted volume estimates to volumes (new subjects, or the training volumes themselves),
 * one at a time, each with its own covariates (the covariates of the training, one value per
 * volume). Each adjusted volume goes to `sink` in input order, with its input's header and source.
 * By default a first pass reads and checks every volume (see `checkVolumes`) before the sink is
 * called once, so a bad fifth image is found before four outputs exist; `checkFirst: false` skips
 * it.
 *
 * Volumes of a batch the model has not seen are an error, unless `newBatches` is `'estimate'`:
 * then the first pass (progress phase `estimate`) also accumulates their in-mask voxels, one
 * volume at a time, each new batch is estimated from its volumes with the fit frozen (core's
 * `estimateBatchesFromStatistics`; two volumes or more), and every volume is adjusted with the
 * extended model, which the result holds. Memory does not grow with the number of volumes.
 *
 * @throws `VolumeShapeError`, `AffineMismatchError` and core's `InvalidValueError` when a
 * volume does not fit the mask (see `checkVolumes`).
 * @throws `UnknownBatchError` (core's) when a batch was not seen in training and `newBatches` is
 * not `'estimate'`; `TooFewSamplesError` when a new batch to estimate has a single volume;
 * `UnknownCovariateError` when a covariate or a level is unknown or missing, and core's other
 * errors about covariates: a message that concerns one volume names it by its resource's `source`
 * (the error's `sample` is its index). All are raised before any volume is read.
 * @throws `TooFewFeaturesError` (core's) when empirical Bayes has fewer than 2 voxels a new batch
 * can estimate.
 * @throws `ShapeMismatchError` (core's) when the covariates do not give one value per volume.
 * @throws `InvalidArgumentError` (base's) when an argument is of the wrong kind, such as estimates
 * whose mask does not match the model.
 * @example
 * ```ts
 * const adjusted: number[] = [];
 * await adjustVolumes(estimates, volumes.slice(3), { batch: ['B', 'B', 'B'], continuous: { age: [58, 66, 74] } }, (volume, index) => {
 *   adjusted[index] = volume.data[2];
 * });
 * adjusted; // [0, 0, 0]
 * await adjustVolumes(estimates, newSite, newSiteCovariates, () => {});
 * // throws UnknownBatchError: sample 0: sub-07.nii.gz: batch "C" was not seen in training (known: A, B); use { newBatches: "estimate" }
 * const { estimates: extended, warnings } = await adjustVolumes(estimates, newSite, newSiteCovariates, () => {}, { newBatches: 'estimate' });
 * extended.model.batches.get('C')!.samples; // 3
 * extended.model.batches.get('C')!.training; // false
 * warnings.map(({ code }) => code); // ['outside-training-range']
 * ```
 */
export async function adjustVolumes<H>(
  estimates: VolumeEstimates,
  volumes: readonly VolumeResource<H>[],
  covariates: Covariates,
  sink: VolumeSink<H>,
  options: AdjustVolumesOptions = {},
): Promise<AdjustVolumesResult> {
  requireEstimates(estimates);
  requireResources(volumes, 'volumes');
  checkFunction(sink, 'sink');
  requireAdjustOptions(options);
  requireCovariates(covariates, volumes);
  const { model } = estimates;
  const { rows, newVolumes } = nameVolumes(volumes, () => {
    const rows = encodeCovariates(model.coding, covariates);
    return { rows, newVolumes: findNewBatchVolumes(model, rows, options.newBatches === 'estimate') };
  });
  const warnings = rangeWarnings(model.coding, covariates);
  let used = estimates;
  if (newVolumes.length > 0) {
    const estimated = await estimateNewBatches(estimates, volumes, rows, newVolumes, options);
    used = estimated.estimates;
    warnings.push(...estimated.warnings);
  } else if (options.checkFirst ?? true) {
    await streamVolumes(volumes, estimates.mask, options, 'check');
  }
  await adjustAll(used, volumes, rows, options, sink);
  return { estimates: used, warnings };
}

/** The adjust pass: each volume loaded, checked, adjusted and given to the sink, in order. */
export async function adjustAll<H>(estimates: VolumeEstimates, volumes: readonly VolumeResource<H>[], rows: EncodedRows, options: AdjustOptions, sink: VolumeSink<H>): Promise<void> {
  const { model, mask } = estimates;
  const features = mask.indices.length;
  const adjusted = new Float64Array(features);
  await streamVolumes(volumes, mask, options, 'adjust', async (row, volume, i) => {
    applyEncoded(model, { data: row, samples: 1, features }, rowOf(rows, i), adjusted);
    await sink(unflattenMasked(adjusted, mask.indices, volume, options.preserveOutOfMask ?? false, volumeSource(volumes[i]!, volume)), i);
  });
}
