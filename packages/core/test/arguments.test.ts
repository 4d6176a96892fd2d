import { syntheticData } from '@combat/test-support';
import { describe, expect, it } from 'vitest';
import {
  CombatAccumulator,
  CombatError,
  InvalidArgumentError,
  ModelFormatError,
  applyCombat,
  applyEncoded,
  codeDesign,
  declareDesign,
  describeUnadjusted,
  deserializeModel,
  encodeCovariates,
  estimateBatches,
  estimateBatchesFromStatistics,
  finalizeModel,
  harmonize,
  mergeStatistics,
  rangeWarnings,
  serializeModel,
} from '../src/index.js';
import { checkModelMeta } from '../src/internal.js';
import { compareCodePoints } from '../src/code-point-order.js';
import { checkEncodedRows, checkInputs, checkMatrix } from '../src/input-checks.js';
import { checkModel } from '../src/serialize.js';

const { matrix, covariates } = syntheticData({ seed: 2, batchSizes: [6, 6], features: 3 });
const coding = codeDesign(covariates);
const rows = encodeCovariates(coding, covariates);
const { model } = harmonize(matrix, covariates);
const fresh = () => new CombatAccumulator(coding, 3);
const statistics = fresh().add(matrix, covariates).statistics();

describe('arguments of the wrong kind give typed errors that name the function and the argument', () => {
  const cases: [string, () => unknown, string][] = [
    ['harmonize(undefined, ...)', () => harmonize(undefined as never, covariates), 'harmonize: matrix: expected an object { data, samples, features }; received undefined'],
    ['harmonize(matrix, null)', () => harmonize(matrix, null as never), 'harmonize: covariates: expected an object { batch, categorical?, continuous? }; received null'],
    ['a batch that is not an array', () => harmonize(matrix, { batch: 'siteA' as never }), 'harmonize: covariates.batch: expected an array of batch labels, one per sample; received a string ("siteA")'],
    ['categorical: { sex: undefined }', () => harmonize(matrix, { ...covariates, categorical: { sex: undefined as never } }), 'harmonize: covariates.categorical["sex"]: expected an array of labels, one per sample; received undefined'],
    ['categorical: null', () => harmonize(matrix, { ...covariates, categorical: null as never }), 'harmonize: covariates.categorical: expected an object of named columns; received null'],
    ['continuous: { age: "12" }', () => harmonize(matrix, { ...covariates, continuous: { age: '12' as never } }), 'harmonize: covariates.continuous["age"]: expected an array or typed array of numbers, one per sample; received a string ("12")'],
    ['options null', () => harmonize(matrix, covariates, null as never), 'harmonize: options: expected an object { eb?, parametric?, meanOnly?, refBatch?, maxIterations?, splines? }; received null'],
    ['options.eb a string', () => harmonize(matrix, covariates, { eb: 'no' as never }), 'harmonize: options.eb: expected true or false; received a string ("no")'],
    ['options.refBatch a number', () => harmonize(matrix, covariates, { refBatch: 1 as never }), 'harmonize: options.refBatch: expected a batch label or null; received a number (1)'],
    ['options.maxIterations 0', () => harmonize(matrix, covariates, { maxIterations: 0 }), 'harmonize: options.maxIterations: expected a positive integer; received a number (0)'],
    ['applyCombat(null, ...)', () => applyCombat(null as never, matrix, covariates), 'applyCombat: model: expected a CombatModel; received null'],
    ['applyCombat(model, null, ...)', () => applyCombat(model, null as never, covariates), 'applyCombat: matrix: expected an object { data, samples, features }; received null'],
    ['applyCombat(model, matrix, undefined)', () => applyCombat(model, matrix, undefined as never), 'applyCombat: covariates: expected an object { batch, categorical?, continuous? }; received undefined'],
    ['applyEncoded(model, matrix, null)', () => applyEncoded(model, matrix, null as never), 'applyEncoded: rows: expected encoded rows { samples, batch, covariates } from encodeCovariates; received null'],
    ['applyCombat with newBatches "yes"', () => applyCombat(model, matrix, covariates, { newBatches: 'yes' as never }), "applyCombat: options.newBatches: expected 'error' or 'estimate'; received a string (\"yes\")"],
    ['estimateBatches with maxIterations 0.5', () => estimateBatches(model, matrix, covariates, { maxIterations: 0.5 }), 'estimateBatches: options.maxIterations: expected a positive integer; received a number (0.5)'],
    ['applyEncoded with an array as out', () => applyEncoded(model, matrix, rows, [] as never), 'applyEncoded: out: expected a Float64Array of samples x features values; received an array of 0'],
    ['codeDesign(undefined)', () => codeDesign(undefined as never), 'codeDesign: covariates: expected an object { batch, categorical?, continuous? }; received undefined'],
    ['encodeCovariates(coding, {})', () => encodeCovariates(coding, {} as never), 'encodeCovariates: covariates.batch: expected an array of batch labels, one per sample; received undefined'],
    ['encodeCovariates(null, ...)', () => encodeCovariates(null as never, covariates), 'encodeCovariates: coding: expected a design coding { terms, columns }; received null'],
    ['encodeCovariates with a coding of unsorted levels', () => encodeCovariates({ terms: [{ kind: 'categorical', name: 'sex', levels: ['M', 'F'] }], columns: ['sex:F'] }, covariates), 'encodeCovariates: coding.terms[0].levels[1] is "F" after "M"'],
    ['new CombatAccumulator(null, 3)', () => new CombatAccumulator(null as never, 3), 'CombatAccumulator: coding: expected a design coding { terms, columns }; received null'],
    ['a spline of a categorical covariate', () => codeDesign(covariates, { splines: { sex: { df: 2 } } }), 'codeDesign: options.splines["sex"]: expected a spline of a continuous covariate; "sex" is categorical; received an object'],
    ['a spline of no covariate', () => harmonize(matrix, covariates, { splines: { weight: {} } }), 'codeDesign: options.splines["weight"]: expected a spline of one of the continuous covariates (age); received an object'],
    ['a spline of df 0', () => codeDesign(covariates, { splines: { age: { df: 0 } } }), 'codeDesign: options.splines["age"].df: expected a positive integer; received a number (0)'],
    ['declareDesign(null)', () => declareDesign(null as never), 'declareDesign: terms: expected an array of term declarations; received null'],
    ['declareDesign with a categorical without levels', () => declareDesign([{ kind: 'categorical', name: 'sex', levels: [] }]), 'declareDesign: terms[0].levels: expected a non-empty array of non-empty labels; received an array of 0'],
    ['new CombatAccumulator(coding, "3")', () => new CombatAccumulator(coding, '3' as never), 'CombatAccumulator: features: expected a positive integer; received a string ("3")'],
    ['add(null, ...)', () => fresh().add(null as never, covariates), 'add: matrix: expected an object { data, samples, features }; received null'],
    ['addEncoded(matrix, null)', () => fresh().addEncoded(matrix, null as never), 'addEncoded: rows: expected encoded rows { samples, batch, covariates } from encodeCovariates; received null'],
    ['mergeStatistics(null, ...)', () => mergeStatistics(null as never, statistics), 'mergeStatistics: statistics: expected statistics { version, features, coding, batches } from an accumulator; received null'],
    ['mergeStatistics with a batch of no samples', () => mergeStatistics(statistics, { ...statistics, batches: [{ ...statistics.batches[0]!, samples: 0 }] }), 'mergeStatistics: statistics.batches[0].samples is a number (0); expected a positive integer'],
    ['finalizeModel(undefined)', () => finalizeModel(undefined as never), 'finalizeModel: statistics: expected statistics { version, features, coding, batches } from an accumulator; received undefined'],
    ['CombatAccumulator.fromStatistics of another version', () => CombatAccumulator.fromStatistics({ ...statistics, version: 2 as never }), 'CombatAccumulator.fromStatistics: statistics.version is a number (2); expected 1'],
    ['serializeModel(null)', () => serializeModel(null as never), 'serializeModel: model: expected a CombatModel; received null'],
    ['compareCodePoints(undefined, "a")', () => compareCodePoints(undefined as never, 'a'), 'compareCodePoints: a: expected a string; received undefined'],
    ['checkMatrix(null, 3)', () => checkMatrix(null as never, 3), 'checkMatrix: matrix: expected an object { data, samples, features }; received null'],
  ];
  it.each(cases)('%s', (_, run, message) => {
    expect(run).toThrow(InvalidArgumentError);
    expect(run).toThrow(message);
  });

  it('a model that is not one is a ModelFormatError', () => {
    expect(() => serializeModel({} as never)).toThrow(new ModelFormatError('batches is undefined; expected a Map from batch label to its effects'));
    expect(() => deserializeModel(null as never)).toThrow(new ModelFormatError('serialized model is null; expected an object { formatVersion, meta, arrays }'));
    expect(() => checkModelMeta([])).toThrow(ModelFormatError);
  });

  it('no public function throws anything but a CombatError, whatever it is given', () => {
    const values: unknown[] = [undefined, null, 0, NaN, 'x', true, {}, [], new Float64Array(2), { batch: null }, { data: [] }, { features: -1 }];
    const acc = fresh();
    const calls: ((a: unknown, b: unknown) => unknown)[] = [
      (a, b) => harmonize(a as never, b as never),
      (a, b) => harmonize(matrix, a as never, b as never),
      (a, b) => applyCombat(a as never, b as never, covariates),
      (a, b) => applyCombat(model, a as never, b as never),
      (a, b) => applyEncoded(model, a as never, b as never),
      (a, b) => applyEncoded(model, matrix, a as never, b as never),
      (a, b) => codeDesign(a as never, b as never),
      (a, b) => codeDesign(covariates, { splines: { age: { df: a, knots: b } } } as never),
      (a) => declareDesign(a as never),
      (a, b) => encodeCovariates(a as never, b as never),
      (a, b) => new CombatAccumulator(a as never, b as never),
      (a, b) => acc.add(a as never, b as never),
      (a, b) => acc.addEncoded(a as never, b as never),
      (a) => CombatAccumulator.fromStatistics(a as never),
      (a, b) => mergeStatistics(a as never, b as never),
      (a) => mergeStatistics(statistics, a as never),
      (a, b) => finalizeModel(a as never, b as never),
      (a, b) => finalizeModel(statistics, { eb: a, parametric: b } as never),
      (a, b) => estimateBatches(model, a as never, b as never),
      (a, b) => estimateBatchesFromStatistics(a as never, b as never),
      (a, b) => estimateBatchesFromStatistics(model, a as never, b as never),
      (a, b) => applyCombat(model, matrix, covariates, { newBatches: a, maxIterations: b } as never),
      (a, b) => rangeWarnings(a as never, b as never),
      (a) => serializeModel(a as never),
      (a, b) => deserializeModel({ formatVersion: 1, meta: a, arrays: b } as never),
      (a) => deserializeModel(a as never),
      (a) => checkModel(a),
      (a) => checkModelMeta(a),
      (a, b) => compareCodePoints(a as never, b as never),
      (a, b) => checkMatrix(a as never, b as never),
      (a, b) => checkInputs(matrix, a as never, b as never),
      (a, b) => checkEncodedRows(a as never, 1, b as never),
      (a, b) => describeUnadjusted(a as never, b as never),
    ];
    let thrown = 0;
    for (const call of calls) {
      for (const a of values) {
        for (const b of values) {
          try {
            call(a, b);
          } catch (error) {
            thrown++;
            if (!(error instanceof CombatError)) expect.fail(`${call.toString()} with ${String(a)}, ${String(b)}: ${String(error)}`);
          }
        }
      }
    }
    expect(thrown).toBeGreaterThan(calls.length * values.length * values.length * 0.9);
  });
});
