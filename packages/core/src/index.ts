export { CombatError, InvalidArgumentError, type ErrorContext } from '@combat/base';
export { CombatAccumulator } from './accumulator.js';
export { applyCombat, applyEncoded, type ApplyOptions, type ApplyResult } from './apply.js';
export {
  codeDesign,
  declareDesign,
  encodeCovariates,
  type CategoricalTerm,
  type ContinuousTerm,
  type CovariateTerm,
  type DesignCoding,
  type DesignOptions,
  type EncodedRows,
  type SplineOptions,
  type SplineTerm,
  type TermDeclaration,
} from './design.js';
export { harmonizeCovbat, type CovbatOptions, type CovbatResult } from './covbat.js';
export type { CovbatBatch, CovbatModel } from './covbat-model.js';
export {
  ConfoundedDesignError,
  CovariateNameError,
  EmptyInputError,
  IncompatibleStatisticsError,
  InvalidValueError,
  ModelFormatError,
  ShapeMismatchError,
  TooFewBatchesError,
  TooFewFeaturesError,
  TooFewSamplesError,
  UnknownBatchError,
  UnknownCovariateError,
} from './errors.js';
export { finalizeModel } from './finalize.js';
export { harmonize, type HarmonizeResult } from './harmonize.js';
export { harmonizeLongitudinal, type LongitudinalBatch, type LongitudinalOptions, type LongitudinalResult } from './longitudinal.js';
export { mergeStatistics } from './merge.js';
export type { BatchEffects, CombatModel } from './model.js';
export type { ModelMeta } from './model-checks.js';
export { estimateBatches, estimateBatchesFromStatistics, type EstimateOptions } from './new-batches.js';
export { rangeWarnings } from './ranges.js';
export { MODEL_FORMAT_VERSION, deserializeModel, serializeModel, type SerializedArrays, type SerializedModel } from './serialize.js';
export { STATISTICS_VERSION, type BatchStatistics, type CombatStatistics } from './statistics.js';
export type { CombatOptions, CombatWarning, Covariates, DataMatrix, UnadjustedCause, UnadjustedReason } from './types.js';
export { describeUnadjusted } from './warnings.js';
