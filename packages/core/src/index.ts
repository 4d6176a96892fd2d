export { CombatAccumulator } from './accumulator.js';
export { applyCombat, applyEncoded } from './apply.js';
export { compareCodePoints } from './code-point-order.js';
export { checkEncodedRows, checkInputs, checkMatrix } from './input-checks.js';
export { codeDesign, encodeCovariates, type CategoricalCoding, type DesignCoding, type EncodedRows } from './design.js';
export {
  CombatError,
  type ErrorContext,
  ConfoundedDesignError,
  CovariateNameError,
  EmptyInputError,
  IncompatibleAccumulatorError,
  InvalidArgumentError,
  InvalidValueError,
  ModelFormatError,
  ShapeMismatchError,
  TooFewBatchesError,
  TooFewFeaturesError,
  UnknownBatchError,
  UnknownCovariateError,
} from './errors.js';
export { finalizeModel, type FitOptions } from './finalize.js';
export { harmonize, type HarmonizeResult } from './harmonize.js';
export type { CombatModel } from './model.js';
export type { ModelMeta } from './model-checks.js';
export { MODEL_FORMAT_VERSION, checkModel, checkModelMeta, deserializeModel, serializeModel, type SerializedModel } from './serialize.js';
export type { CombatOptions, CombatWarning, Covariates, DataMatrix, UnadjustedCause, UnadjustedReason } from './types.js';
export { describeUnadjusted } from './warnings.js';
