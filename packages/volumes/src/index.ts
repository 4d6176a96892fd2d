export { describeValue, findVolumeProblem } from './arguments.js';
export { checkVolumes, type CheckOptions, type MaskGeometry } from './check-volumes.js';
export { tableCovariates, type CovariateColumns, type CovariateTable } from './covariate-table.js';
export { siteEffectMaps, type SiteEffectMaps } from './effect-maps.js';
export type { VolumeEstimates } from './estimates.js';
export { AffineMismatchError, CovariateTableError, EmptyMaskError, TooFewVolumesError, VolumeShapeError } from './errors.js';
export {
  adjustVolumes,
  harmonizeVolumes,
  harmonizeVolumesStreaming,
  type AdjustOptions,
  type AdjustVolumesOptions,
  type HarmonizeVolumesOptions,
  type VolumeSink,
} from './harmonize-volumes.js';
export { checkShape, flattenInto, formatShape, formatVoxel, maskIndices, unflatten } from './mask.js';
export { InMemoryVolumeResource, identityAffine, type Volume, type VolumeResource, type VoxelArray } from './volume.js';
