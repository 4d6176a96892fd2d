export { tableCovariates, type CovariateColumns, type CovariateTable } from './covariate-table.js';
export { siteEffectMaps, type SiteEffectMaps } from './effect-maps.js';
export { AffineMismatchError, CovariateTableError, EmptyMaskError, TooFewVolumesError, VolumeShapeError } from './errors.js';
export {
  adjustVolumes,
  harmonizeVolumes,
  harmonizeVolumesStreaming,
  type AdjustOptions,
  type HarmonizeVolumesOptions,
  type VolumeEstimates,
  type VolumeSink,
} from './harmonize-volumes.js';
export { checkShape, flattenInto, formatShape, maskIndices, unflatten } from './mask.js';
export { InMemoryVolumeResource, identityAffine, type Volume, type VolumeResource, type VoxelArray } from './volume.js';
