export { checkVolumes, type CheckOptions } from './check-volumes.js';
export { batchEffectMaps, type BatchEffectMaps } from './effect-maps.js';
export type { VolumeEstimates } from './estimates.js';
export { AffineMismatchError, EmptyMaskError, TooFewVolumesError, VolumeShapeError } from './errors.js';
export {
  adjustVolumes,
  harmonizeVolumes,
  harmonizeVolumesStreaming,
  type HarmonizeVolumesResult,
  type HarmonizeVolumesStreamingResult,
  type VolumeSink,
} from './harmonize-volumes.js';
export { maskIndices } from './mask.js';
export type { AdjustOptions, AdjustVolumesOptions, HarmonizeVolumesOptions } from './options.js';
