import { InvalidArgumentError } from '@combat/core';
import type { CombatModel, CombatWarning } from '@combat/core';
import { describeValue, requireObject } from './arguments.js';
import { requireGeometry, type MaskGeometry } from './check-volumes.js';
import type { CovariateColumns } from './covariate-table.js';

/**
 * What a volume fit produced: the ComBat model over the in-mask voxels (feature k is voxel
 * `mask.indices[k]`), its warnings, the mask's geometry (with its file as `mask.name`), and the
 * covariate columns used.
 *
 * @example
 * ```ts
 * const { estimates } = await harmonizeVolumes(volumes, covars, options);
 * estimates.model.gammaStar; // B x (in-mask voxels)
 * ```
 */
export interface VolumeEstimates {
  readonly model: CombatModel;
  readonly warnings: CombatWarning[];
  readonly mask: MaskGeometry;
  readonly columns: CovariateColumns;
}

/**
 * Throws a InvalidArgumentError unless `estimates` has a model object, a mask geometry with one
 * voxel per model feature, and columns naming the batch column.
 *
 * @example
 * ```ts
 * requireEstimates({ model, warnings: [], mask, columns });
 * ```
 */
export function requireEstimates(estimates: unknown): asserts estimates is VolumeEstimates {
  requireObject(estimates, 'estimates');
  const { model, mask, columns } = estimates as Record<string, unknown>;
  requireObject(model, 'estimates.model');
  requireGeometry(mask, 'estimates.mask');
  const { features, batches } = model as Record<string, unknown>;
  if (features !== mask.indices.length) {
    throw new InvalidArgumentError(`estimates.model.features is ${describeValue(features)}; expected ${mask.indices.length}, one per voxel of estimates.mask`);
  }
  if (!Array.isArray(batches)) throw new InvalidArgumentError(`estimates.model.batches: expected an array of batch labels; received ${describeValue(batches)}`);
  requireObject(columns, 'estimates.columns');
  const { batchCol } = columns as Record<string, unknown>;
  if (typeof batchCol !== 'string') throw new InvalidArgumentError(`estimates.columns.batchCol: expected the name of the batch column; received ${describeValue(batchCol)}`);
}
