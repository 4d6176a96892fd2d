export { adjustVolumes, type AdjustVolumesResult, type VolumeSink } from './adjust-volumes.js';
export { checkVolumes, type CheckOptions } from './check-volumes.js';
export { batchEffectMaps, type BatchEffectMaps } from './effect-maps.js';
export type { VolumeEstimates } from './estimates.js';
export { AffineMismatchError, EmptyMaskError, TooFewVolumesError, VolumeShapeError } from './errors.js';
export { fitVolumes, type FitVolumesResult } from './fit-volumes.js';
export { harmonizeVolumes, harmonizeVolumesStreaming, type HarmonizeVolumesResult, type HarmonizeVolumesStreamingResult } from './harmonize-volumes.js';
export { maskIndices } from './mask.js';
export type { AdjustOptions, AdjustVolumesOptions, FitVolumesOptions, HarmonizeVolumesOptions } from './options.js';
