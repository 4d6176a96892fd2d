import * as core from '@combat/core';
import * as internal from '@combat/core/internal';
import { describe, expect, test } from 'vitest';

describe('the export lists are pinned', () => {
  test('@combat/core', () => {
    expect(Object.keys(core).sort()).toEqual([
      'CombatAccumulator',
      'CombatError',
      'ConfoundedDesignError',
      'CovariateNameError',
      'EmptyInputError',
      'IncompatibleStatisticsError',
      'InvalidArgumentError',
      'InvalidValueError',
      'MODEL_FORMAT_VERSION',
      'ModelFormatError',
      'STATISTICS_VERSION',
      'ShapeMismatchError',
      'TooFewBatchesError',
      'TooFewFeaturesError',
      'TooFewSamplesError',
      'UnknownBatchError',
      'UnknownCovariateError',
      'applyCombat',
      'applyEncoded',
      'codeDesign',
      'declareDesign',
      'describeUnadjusted',
      'deserializeModel',
      'encodeCovariates',
      'estimateBatches',
      'estimateBatchesFromStatistics',
      'finalizeModel',
      'harmonize',
      'harmonizeCovbat',
      'harmonizeLongitudinal',
      'mergeStatistics',
      'rangeWarnings',
      'serializeModel',
    ]);
  });
  test('@combat/core/internal', () => {
    expect(Object.keys(internal).sort()).toEqual(['CONVERGENCE', 'PLAIN_FORMAT_VERSION', 'accumulateColumns', 'adjustColumns', 'allocateLocal', 'allocateModel', 'assembleModel', 'checkCoding', 'checkComplete', 'checkEncodedApply', 'checkEncodedBlock', 'checkFitBatches', 'checkModelMeta', 'checkNoInfinity', 'checkStatistics', 'estimateFitPriors', 'findBatches', 'findFirstAtLeast', 'findKept', 'finishRange', 'fitCovbat', 'fitRange', 'fitWarnings', 'iterateRange', 'iteratesBatch', 'joinScreens', 'joinStatistics', 'planFit', 'prepareApply', 'prepareHarmonize', 'shrinkRange']);
  });
});

test('each error class has its literal name', () => {
  const errors = {
    ConfoundedDesignError: new core.ConfoundedDesignError('x', []),
    CovariateNameError: new core.CovariateNameError('x'),
    EmptyInputError: new core.EmptyInputError('x'),
    IncompatibleStatisticsError: new core.IncompatibleStatisticsError('x'),
    InvalidArgumentError: new core.InvalidArgumentError('x'),
    InvalidValueError: new core.InvalidValueError('x'),
    ModelFormatError: new core.ModelFormatError('x'),
    ShapeMismatchError: new core.ShapeMismatchError('x'),
    TooFewBatchesError: new core.TooFewBatchesError('x'),
    TooFewFeaturesError: new core.TooFewFeaturesError('x'),
    TooFewSamplesError: new core.TooFewSamplesError('x'),
    UnknownBatchError: new core.UnknownBatchError('x'),
    UnknownCovariateError: new core.UnknownCovariateError('x'),
  };
  for (const [name, error] of Object.entries(errors)) {
    expect(error.name).toBe(name);
    expect(error).toBeInstanceOf(core.CombatError);
  }
  // Every error class the index exports is in the list above.
  const classes = Object.entries(core).filter(([, value]) => typeof value === 'function' && value.prototype instanceof core.CombatError);
  expect(classes.map(([name]) => name).sort()).toEqual(Object.keys(errors).sort());
});
