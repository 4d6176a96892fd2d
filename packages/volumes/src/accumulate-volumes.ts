import type { MaskGeometry, VolumeResource } from '@combat/base';
import { checkObject } from '@combat/base/internal';
import { CombatAccumulator, codeDesign, encodeCovariates, type CombatStatistics, type Covariates, type DesignCoding, type DesignOptions, type EncodedRows } from '@combat/core';
import { requireResource, requireResources } from './arguments.js';
import { requireCheckOptions, type CheckOptions } from './check-volumes.js';
import { requireCovariates, rowOf } from './covariates.js';
import { TooFewVolumesError, VolumeShapeError } from './errors.js';
import { checkShape, formatShape, loadMask } from './mask.js';
import { describeMask, describeVolume, nameVolumes } from './naming.js';
import { streamVolumes } from './volume-pass.js';

/**
 * Options of {@link accumulateVolumes}: the mask, the checks against it, progress, and which
 * continuous covariates enter as natural splines (core's `DesignOptions`; statistics that are to be
 * merged need the same explicit knots everywhere, `{ knots, boundaryKnots }`).
 *
 * @example
 * ```ts
 * const options: AccumulateVolumesOptions = { mask, splines: { age: { knots: [50], boundaryKnots: [20, 90] } } };
 * const { statistics } = await accumulateVolumes(volumes, covariates, options);
 * statistics.coding.columns; // ['age:ns1', 'age:ns2']
 * ```
 */
export interface AccumulateVolumesOptions extends CheckOptions, DesignOptions {
  /** Voxels where the mask is above 0 are accumulated; its `source` (the file) is named in messages. */
  readonly mask: VolumeResource;
}

/**
 * The sufficient statistics of volumes (core's `CombatStatistics`, feature k being voxel
 * `mask.indices[k]`) and the mask's geometry (with its file as `mask.source`): what
 * {@link accumulateVolumes} gives and `finalizeVolumes` takes, after merging those of other
 * sites or shards with core's `mergeStatistics` when they share the mask.
 *
 * @example
 * ```ts
 * const accumulated: VolumeStatistics = await accumulateVolumes(volumes, covariates, { mask });
 * accumulated.statistics.features; // 3
 * accumulated.mask.indices; // Int32Array.of(0, 1, 3)
 * ```
 */
export interface VolumeStatistics {
  readonly statistics: CombatStatistics;
  readonly mask: MaskGeometry;
}

/**
 * Accumulates the sufficient statistics of volumes in one streaming pass, the first half of
 * `fitVolumes`: each volume is read once, checked against the mask (shape, affine, finite in-mask
 * voxels), its in-mask voxels added to the statistics, then dropped. Nothing is fitted: merge the
 * statistics with those of other sites or shards (core's `mergeStatistics`), then fit them with
 * `finalizeVolumes`. One volume and one batch are enough (a site may hold one scanner). The
 * covariates are core's, one entry per volume in the volumes' order; they and the options are
 * checked before any volume is read.
 *
 * @throws {@link TooFewVolumesError} when there is no volume.
 * @throws {@link VolumeShapeError} when a volume is not 3D or the shapes (the mask's included) differ.
 * @throws `EmptyMaskError` when the mask has no voxel above 0.
 * @throws `AffineMismatchError` when a volume's affine differs from the mask's (unless allowed).
 * @throws `InvalidValueError` (core's) when a voxel inside the mask is infinite, a covariate is
 * missing or not finite, or a spline's knots cannot be chosen.
 * @throws `ShapeMismatchError` (core's) when the covariates do not give one value per volume;
 * core's other errors about the covariates name the volume by its resource's `source`.
 * @throws `InvalidArgumentError` (base's) when an argument or option is of the wrong kind, or a
 * resource's `load()` gives something that is not a volume.
 * @example
 * ```ts
 * import { finalizeModel, mergeStatistics } from '@combat/core';
 *
 * // Two sites, each with its own scanner: each accumulates its volumes and sends the statistics.
 * const siteA = await accumulateVolumes(volumes.slice(0, 3), { batch: ['A', 'A', 'A'], continuous: { age: [30, 42, 51] } }, { mask });
 * const siteB = await accumulateVolumes(volumes.slice(3), { batch: ['B', 'B', 'B'], continuous: { age: [58, 66, 74] } }, { mask });
 * const { estimates: merged } = finalizeVolumes({ statistics: mergeStatistics(siteA.statistics, siteB.statistics), mask: siteA.mask });
 * Math.abs(merged.model.batches.get('B')!.gammaStar[0] - estimates.model.batches.get('B')!.gammaStar[0]) < 1e-12; // true
 * await accumulateVolumes([], { batch: [] }, { mask });
 * // throws TooFewVolumesError: expected at least 1 volume to accumulate; found 0
 * ```
 */
export async function accumulateVolumes(volumes: readonly VolumeResource[], covariates: Covariates, options: AccumulateVolumesOptions): Promise<VolumeStatistics> {
  requireResources(volumes, 'volumes');
  const { mask } = checkObject(options, 'options');
  requireResource(mask, 'options.mask');
  requireCheckOptions(options);
  if (volumes.length < 1) throw new TooFewVolumesError('expected at least 1 volume to accumulate; found 0');
  requireCovariates(covariates, volumes);
  const { coding, rows } = codeVolumes(volumes, covariates, options);
  return accumulateRows(volumes, coding, rows, options);
}

/**
 * The design coding of the volumes' covariates (with the options' splines) and the covariates
 * encoded with it; core's errors about one volume name it (see `nameVolumes`).
 */
export function codeVolumes(volumes: readonly VolumeResource[], covariates: Covariates, options: DesignOptions): { coding: DesignCoding; rows: EncodedRows } {
  return nameVolumes(volumes, () => {
    const coding = codeDesign(covariates, options.splines === undefined ? {} : { splines: options.splines });
    return { coding, rows: encodeCovariates(coding, covariates) };
  });
}

/**
 * The statistics of volumes whose covariates are encoded (`rows`, with `coding`): the mask loaded,
 * the first volume checked against its shape, then one pass adding each volume's in-mask voxels.
 */
export async function accumulateRows(
  volumes: readonly VolumeResource[],
  coding: DesignCoding,
  rows: EncodedRows,
  options: CheckOptions & { readonly mask: VolumeResource },
): Promise<VolumeStatistics> {
  const mask = await loadMask(options.mask);
  const first = await volumes[0]!.load();
  const firstName = describeVolume(volumes[0]!, first, 0, volumes.length);
  checkShape(first, firstName);
  if (mask.shape.some((n, axis) => n !== first.shape[axis])) {
    throw new VolumeShapeError(`${describeMask(mask.source)} has shape ${formatShape(mask.shape)}; expected the volumes' shape ${formatShape(first.shape)} (${firstName}'s)`);
  }
  const features = mask.indices.length;
  const accumulator = new CombatAccumulator(coding, features);
  const add = (row: Float64Array, _: unknown, i: number) => {
    accumulator.addEncoded({ data: row, samples: 1, features }, rowOf(rows, i));
  };
  await streamVolumes(volumes, mask, options, 'fit', add, { first });
  return { statistics: accumulator.statistics(), mask };
}
