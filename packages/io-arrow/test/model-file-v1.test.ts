import { ModelFormatError, applyCombat } from '@combat/core';
import { expectClose } from '@combat/test-support';
import { tableFromIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { decodeModelFile, encodeModelFile } from '../src/index.js';
import { bits, expectSameModel, numbers, rewrite, versionOneFiles } from './model-file-fixtures.js';

/**
 * Model files of format version 1 (test/fixtures, written by the encoder of that version: a table
 * model with a reference batch and an unfitted feature, and a non-parametric volume model with a
 * mask) still load: core converts their model, every value as it was, and the model adjusts the
 * data it was fitted on as it did then.
 */
const FILES = versionOneFiles();

describe('model files of format version 1', () => {
  it('are the layout of version 1: batch design columns, batchSizes, the extras under batchCol, idCol and volume', () => {
    for (const { bytes } of FILES) {
      const table = tableFromIPC(bytes);
      const json = JSON.parse(table.schema.metadata.get('combat')!);
      expect(json.formatVersion).toBe(1);
      expect(json.coding.columns).toEqual(['batch:siteA', 'batch:siteB', 'batch:siteC', 'sex:M', 'age']);
      expect(json.batchSizes).toEqual([8, 7, 9]);
      expect(json.columns.batchCol).toBe('site');
      expect(table.schema.fields.map((field) => field.name)).toContain('beta[batch:siteA]');
    }
    expect(Object.keys(JSON.parse(tableFromIPC(FILES[1]!.bytes).schema.metadata.get('combat')!))).toContain('volume');
  });

  it('decode to the model they hold, value for value, as core converts it: training batches, covariate rows of beta, no recorded ranges', () => {
    for (const { model, record } of FILES) {
      const old = record.model;
      expect(model.features).toBe(6);
      expect(model.refBatch).toBe(old.refBatch);
      expect(model.options).toEqual(old.options);
      expect(model.coding).toEqual({
        terms: [
          { kind: 'categorical', name: 'sex', levels: ['F', 'M'] },
          { kind: 'continuous', name: 'age', range: null },
        ],
        columns: ['sex:M', 'age'],
      });
      expect(bits(model.beta)).toEqual(bits(Float64Array.from([...numbers(old.beta['sex:M']!), ...numbers(old.beta.age!)])));
      expect(bits(model.grandMean)).toEqual(bits(numbers(old.grandMean)));
      expect(bits(model.varPooled)).toEqual(bits(numbers(old.varPooled)));
      expect(Array.from(model.adjusted)).toEqual(old.adjusted);
      expect([...model.batches.keys()]).toEqual(old.batches);
      old.batches.forEach((label, b) => {
        const batch = model.batches.get(label)!;
        expect([batch.samples, batch.training]).toEqual([old.batchSizes[b], true]);
        for (const name of ['gammaHat', 'deltaHat', 'gammaStar', 'deltaStar'] as const) expect(bits(batch[name]), `${label} ${name}`).toEqual(bits(numbers(old[name][label]!)));
        for (const name of ['gammaBar', 't2', 'aPrior', 'bPrior'] as const) expect(Object.is(batch[name], numbers(old[name])[b]), `${label} ${name}`).toBe(true);
        expect(Array.from(batch.adjusted)).toEqual(old.adjusted);
      });
    }
  });

  it('decode saying they are of format version 1', () => {
    for (const { name, formatVersion } of FILES) expect(formatVersion, name).toBe(1);
  });

  it('decode to the extras they hold: feature names, covariate columns, id column, mask', () => {
    const [table, volume] = FILES as [(typeof FILES)[number], (typeof FILES)[number]];
    expect(table.extras).toEqual({ featureNames: table.record.featureNames, columns: table.record.columns, idColumn: 'subject' });
    const mask = volume.record.mask!;
    expect(volume.extras).toEqual({
      featureNames: volume.record.featureNames,
      columns: volume.record.columns,
      mask: { shape: mask.shape, affine: Float64Array.from(mask.affine), indices: Int32Array.from(mask.indices) },
    });
  });

  it('adjust the data they were fitted on as they did when they were written (the parity rule)', () => {
    for (const { name, model, record } of FILES) {
      const { input } = record;
      const matrix = { data: numbers(input.data), samples: input.samples, features: input.features };
      const covariates = { batch: input.batch, categorical: { sex: input.sex }, continuous: { age: numbers(input.age) } };
      const { data, warnings } = applyCombat(model, matrix, covariates);
      expectClose(data, numbers(record.output), 1e-9, name);
      expect(warnings).toEqual([]); // no recorded training range, so no range warning
    }
  });

  it('encode again as version 2, which decodes to the same model and extras', () => {
    for (const { model, extras } of FILES) {
      const bytes = encodeModelFile(model, extras);
      expect(JSON.parse(tableFromIPC(bytes).schema.metadata.get('combat')!).formatVersion).toBe(2);
      const { model: again, formatVersion, ...extrasAgain } = decodeModelFile(bytes, { source: 'm.arrow' });
      expect(formatVersion).toBe(2);
      expectSameModel(again, model);
      expect(extrasAgain).toEqual(extras);
    }
  });

  it('refused when damaged, naming the fields as version 1 does', () => {
    const [table, volume] = FILES as [(typeof FILES)[number], (typeof FILES)[number]];
    const refused = (bytes: Uint8Array, message: string | RegExp) => {
      expect(() => decodeModelFile(bytes, { source: 'old.arrow' })).toThrow(ModelFormatError);
      expect(() => decodeModelFile(bytes, { source: 'old.arrow' })).toThrow(typeof message === 'string' ? `old.arrow: ${message}` : message);
    };
    refused(rewrite(table.bytes, { seal: false, json: (j) => void (j.batchSizes[0] += 1) }), /^old\.arrow: the file does not match its checksum/);
    refused(rewrite(volume.bytes, { json: (j) => void (j.mask = j.volume) }), 'the "combat" metadata has an unknown field "mask"; expected only checksum, formatVersion, features, coding, batchSizes, options, priors, columns, volume (format version 1)');
    refused(rewrite(table.bytes, { json: (j) => void (j.features = '6') }), 'features is a string ("6"); expected a positive integer');
    refused(rewrite(table.bytes, { json: (j) => void (j.coding = null) }), 'coding is null; expected a design coding { batches, refBatch, categorical, continuous, columns }');
    refused(rewrite(table.bytes, { json: (j) => void (j.coding.batches = 'siteA') }), 'coding.batches is a string ("siteA"); expected an array of strings');
    refused(rewrite(table.bytes, { json: (j) => void (j.coding.columns[4] = 7) }), 'coding.columns[4] is a number (7); expected a string');
    refused(rewrite(table.bytes, { json: (j) => void j.coding.batches.reverse() }), 'coding.batches[1] is "siteB" after "siteC"; expected labels in code-point order without repeats');
    refused(rewrite(table.bytes, { json: (j) => void (j.batchSizes = [8, 7]) }), 'batchSizes is an array of 2; expected 3 sample counts, one per batch (siteA, siteB, siteC)');
    refused(rewrite(table.bytes, { json: (j) => void (j.coding.refBatch = 'siteD') }), 'refBatch is a string ("siteD"); expected null or one of the training batches (siteA, siteB, siteC)');
    refused(rewrite(table.bytes, { json: (j) => void (j.columns.batchCol = 7) }), 'columns.batchCol is a number (7); expected a column name');
    refused(rewrite(table.bytes, { json: (j) => void (j.columns.continuousCols = ['weight']) }), 'columns.continuousCols is ["weight"]; expected the names of the coding\'s continuous terms ["age"]');
    refused(rewrite(table.bytes, { json: (j) => void (j.columns.idCol = 'age') }), 'column "age" has two roles in columns; expected one role per column');
    refused(rewrite(table.bytes, { json: (j) => void (j.columns.idColumn = 'subject') }), 'columns has an unknown field "idColumn"; expected only batchCol, categoricalCols, continuousCols, idCol');
    refused(rewrite(table.bytes, { columns: (v) => void delete v['beta[batch:siteB]'] }), 'column "beta[batch:siteB]" is missing');
    refused(rewrite(volume.bytes, { json: (j) => void (j.volume.shape = [4, 3]) }), 'volume.shape is [4,3]; expected 3 positive integers');
    refused(rewrite(volume.bytes, { json: (j) => void delete j.volume }), /^old\.arrow: column "voxel" is not part of a model of this coding/);
  });
});
