import type { Volume, VolumeResource } from '@combat/base';
import { checkFunction } from '@combat/base/internal';
import { applyEncoded, encodeCovariates, rangeWarnings, type CombatWarning, type Covariates, type EncodedRows } from '@combat/core';
import { requireResources } from './arguments.js';
import { requireCovariates, rowOf } from './covariates.js';
import { requireEstimates, type VolumeEstimates } from './estimates.js';
import { keepVolumes } from './kept-volumes.js';
import { unflattenMasked } from './mask.js';
import { nameVolumes, volumeSource } from './naming.js';
import { estimateNewBatches, findNewBatchVolumes } from './new-batches.js';
import { requireAdjustOptions, voxelType, type AdjustOptions, type AdjustVolumesOptions } from './options.js';
import { streamVolumes } from './volume-pass.js';

/**
 * Receives each harmonized volume as soon as it is ready, with its index, in input order. A sink
 * that returns a promise (writing a file) is not waited for before the next volumes are adjusted:
 * up to 3 of its calls may be pending at once, each with a volume of its own, and every call has
 * settled when the function that called it returns or throws.
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
 * streaming, each with its own covariates (the covariates of the training, one value per volume).
 * Each adjusted volume goes to `sink` in input order (see {@link VolumeSink}), with its input's
 * header and source. By default a first pass reads and checks every volume (see `checkVolumes`)
 * before the sink is called once, so a bad fifth image is found before four outputs exist; it
 * keeps the in-mask voxels within `memoryBudget` for the second, as `harmonizeVolumesStreaming`
 * does, so each volume is read once. `checkFirst: false` skips it.
 *
 * Volumes of a batch the model has not seen are an error, unless `newBatches` is `'estimate'`:
 * then the first pass (progress phase `estimate`) also accumulates their in-mask voxels, each new
 * batch is estimated from its volumes with the fit frozen (core's `estimateBatchesFromStatistics`;
 * two volumes or more), and every volume is adjusted with the extended model, which the result
 * holds. Memory stays within `memoryBudget` and a few volumes whatever their number.
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
  const kept = keepVolumes(volumes, options);
  let used = estimates;
  if (newVolumes.length > 0) {
    const estimated = await estimateNewBatches(estimates, kept, rows, newVolumes, options);
    used = estimated.estimates;
    warnings.push(...estimated.warnings);
  } else if (options.checkFirst ?? true) {
    await streamVolumes(kept, estimates.mask, options, 'check');
  }
  await adjustAll(used, kept, rows, options, sink);
  return { estimates: used, warnings };
}

/**
 * Sink calls left pending, at most, while the next volume is adjusted (so at most one more is
 * pending at once): writing (deflating, on other threads, for files) overlaps adjusting.
 */
const WRITE_BEHIND = 2;

/**
 * The adjust pass: each volume loaded (or taken from what the first pass kept), adjusted and given
 * to the sink, in order, leaving up to {@link WRITE_BEHIND} sink calls pending; every call has
 * settled when it returns or throws.
 */
export async function adjustAll<H>(estimates: VolumeEstimates, volumes: readonly VolumeResource<H>[], rows: EncodedRows, options: AdjustOptions, sink: VolumeSink<H>): Promise<void> {
  const { model, mask } = estimates;
  const features = mask.indices.length;
  const adjusted = new Float64Array(features);
  const dtype = voxelType(options);
  const pending: Promise<void>[] = [];
  try {
    await streamVolumes(volumes, mask, options, 'adjust', async (row, volume, i) => {
      applyEncoded(model, { data: row, samples: 1, features }, rowOf(rows, i), adjusted);
      const outside = options.preserveOutOfMask ? volume.data : undefined;
      const writing = Promise.resolve(sink(unflattenMasked(adjusted, mask.indices, volume, outside, volumeSource(volumes[i]!, volume), dtype), i));
      // Handled in turn below, or by allSettled when the pass fails first.
      writing.catch(() => undefined);
      pending.push(writing);
      if (pending.length > WRITE_BEHIND) await pending.shift();
    }, { whole: options.preserveOutOfMask ?? false });
    while (pending.length > 0) await pending.shift();
  } catch (error) {
    await Promise.allSettled(pending);
    throw error;
  }
}

