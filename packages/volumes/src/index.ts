export { checkVolumes, type CheckOptions } from './check-volumes.js';
export { batchEffectMaps, type BatchEffectMaps } from './effect-maps.js';
export type { VolumeEstimates } from './estimates.js';
export { AffineMismatchError, EmptyMaskError, TooFewVolumesError, VolumeShapeError } from './errors.js';
export {
  adjustVolumes,
  harmonizeVolumes,
  harmonizeVolumesStreaming,
  type AdjustOptions,
  type AdjustVolumesOptions,
  type HarmonizeVolumesOptions,
  type HarmonizeVolumesResult,
  type HarmonizeVolumesStreamingResult,
  type VolumeSink,
} from './harmonize-volumes.js';
export { maskIndices } from './mask.js';
