import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { CovariateNameError, ModelFormatError, applyCombat, codeDesign, estimateBatches, harmonize, harmonizeCovbat, type CombatModel, type Covariates } from '@combat/core';
import { selectSamples, syntheticData, temporaryFolder } from '@combat/test-support';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeModelFile, encodeModelFile, sealModelFile } from '../src/index.js';
import { tableFromIPC, tableToIPC } from 'apache-arrow';
import { readModel, writeModel } from '../src/node.js';
import { bits, expectSameModel, modelFiles, rewrite } from './model-file-fixtures.js';

describe('the model file', () => {
  it('round-trips a model exactly, with NaN, Infinity and volume geometry', () => {
    const { matrix, covariates } = syntheticData({ seed: 9, batchSizes: [8, 7, 9], features: 6 });
    const data = matrix.data.slice();
    for (let i = 0; i < 8; i++) data[i * 6 + 3] = 42; // constant in siteA: feature 3 unadjusted, NaN estimates
    const { model } = harmonize({ ...matrix, data }, covariates, { refBatch: 'siteB' });
    expect([...model.batches.values()].some((batch) => batch.aPrior === Infinity)).toBe(true);
    const mask = { shape: [3, 2, 1], affine: Float64Array.of(2, 0, 0, -90, 0, 2, 0, -126, 0, 0, 2, -72, 0, 0, 0, 1), indices: Int32Array.of(0, 1, 2, 3, 4, 5) };
    const extras = { featureNames: ['a', 'b', 'c', 'd', 'e', 'f'], columns: { batch: 'site', categorical: ['sex'], continuous: ['age'] }, mask };
    const back = decodeModelFile(encodeModelFile(model, extras), { source: 'model.arrow' });
    expectSameModel(back.model, model);
    expect(back.featureNames).toEqual(extras.featureNames);
    expect(back.columns).toEqual(extras.columns);
    expect(back.mask).toEqual(mask);
    expect(bits(applyCombat(back.model, { ...matrix, data }, covariates).data)).toEqual(bits(applyCombat(model, { ...matrix, data }, covariates).data));
  });

  it('round-trips a CovBat model exactly as format version 3, which adjusts as the one in memory; a plain model stays version 2', () => {
    const { matrix, covariates } = syntheticData({ seed: 12, batchSizes: [9, 8, 10], features: 5 });
    const { model } = harmonizeCovbat(matrix, covariates, { components: 3 });
    const extras = { featureNames: ['a', 'b', 'c', 'd', 'e'], columns: { batch: 'site', categorical: ['sex'], continuous: ['age'] } };
    const bytes = encodeModelFile(model, extras);
    const back = decodeModelFile(bytes, { source: 'covbat.arrow' });
    expect(back.formatVersion).toBe(3);
    expectSameModel(back.model, model);
    expect(back.model.covbat).toEqual(model.covbat);
    expect(tableFromIPC(bytes).schema.fields.map((field) => field.name).slice(-5)).toEqual(['covbatCenter', 'covbatScale', 'covbatLoading[1]', 'covbatLoading[2]', 'covbatLoading[3]']);
    expect(bits(applyCombat(back.model, matrix, covariates).data)).toEqual(bits(applyCombat(model, matrix, covariates).data));
    expect(decodeModelFile(encodeModelFile(harmonize(matrix, covariates).model, extras)).formatVersion).toBe(2);
    // A CovBat part damaged in the JSON or in a column, resealed, is refused naming the field.
    const refused = (edited: Uint8Array, message: string) => expect(() => decodeModelFile(edited, { source: 'covbat.arrow' })).toThrow(new ModelFormatError(`covbat.arrow: ${message}`));
    refused(rewrite(bytes, { json: (j) => void (j.formatVersion = 2) }), 'the "combat" metadata has an unknown field "covbat"; expected only checksum, formatVersion, features, coding, refBatch, options, batches, priors, columns, idColumn, mask (format version 2)');
    refused(rewrite(bytes, { json: (j) => void delete j.covbat }), 'covbat is missing; expected the CovBat part in format version 3');
    refused(rewrite(bytes, { json: (j) => void (j.covbat.mean = [1, 2]) }), 'covbat.mean is an array of 2; expected 3 numbers, one per component');
    refused(rewrite(bytes, { json: (j) => void (j.covbat.scale[1][0] = -2) }), 'covbat.batches.get("siteB").scale[0] is -2; expected a positive number');
  });

  it('round-trips a model with a spline term, its knots included', () => {
    const { matrix, covariates } = syntheticData({ seed: 7, batchSizes: [9, 8, 10], features: 5 });
    const { model } = harmonize(matrix, covariates, { splines: { age: { df: 3 } } });
    expect(model.coding.columns).toEqual(['sex:M', 'age:ns1', 'age:ns2', 'age:ns3']);
    const extras = { featureNames: ['a', 'b', 'c', 'd', 'e'], columns: { batch: 'site', categorical: ['sex'], continuous: ['age'] } };
    const back = decodeModelFile(encodeModelFile(model, extras), { source: 'spline.arrow' });
    expectSameModel(back.model, model);
    expect(back.model.coding).toEqual(model.coding);
    expect(bits(applyCombat(back.model, matrix, covariates).data)).toEqual(bits(applyCombat(model, matrix, covariates).data));
  });

  it('round-trips a model extended with new batches, which adjusts further subjects of them exactly as the one in memory', () => {
    const { matrix, covariates } = syntheticData({ seed: 4, batchSizes: [8, 7, 9, 6], features: 5 });
    const rows = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => from + k);
    const training = selectSamples(matrix, covariates, rows(0, 24));
    const [first, later] = [selectSamples(matrix, covariates, rows(24, 27)), selectSamples(matrix, covariates, rows(27, 30))];
    for (const options of [{}, { eb: false }, { meanOnly: true }, { refBatch: 'siteB' }]) {
      const { model } = harmonize(training.matrix, training.covariates, options);
      const { model: extended } = estimateBatches(model, first.matrix, first.covariates);
      expect(extended.batches.get('siteD')!.training).toBe(false);
      const extras = { featureNames: ['a', 'b', 'c', 'd', 'e'], columns: { batch: 'site', categorical: ['sex'], continuous: ['age'] } };
      const back = decodeModelFile(encodeModelFile(extended, extras), { source: 'extended.arrow' });
      expectSameModel(back.model, extended);
      const inMemory = applyCombat(extended, later.matrix, later.covariates);
      const fromFile = applyCombat(back.model, later.matrix, later.covariates);
      expect(bits(fromFile.data)).toEqual(bits(inMemory.data));
      expect(fromFile.warnings).toEqual(inMemory.warnings);
    }
  });

  it('decodes a file an editing tool resealed after a change that changes nothing (JSON keys reordered)', () => {
    for (const { model, extras, bytes } of modelFiles()) {
      const reordered = rewrite(bytes, { json: (j) => Object.fromEntries(Object.entries(j).reverse()) });
      expect(reordered).not.toEqual(bytes);
      const back = decodeModelFile(reordered, { source: 'm.arrow' });
      expectSameModel(back.model, model);
      expect(back.mask).toEqual(extras.mask);
    }
  });

  it('round-trips through writeModel and readModel (a Node Buffer, left unchanged)', async () => {
    const dir = await temporaryFolder('model');
    for (const { name, model, extras, bytes } of modelFiles()) {
      await writeModel(join(dir, `${name}.arrow`), model, extras);
      const back = await readModel(join(dir, `${name}.arrow`));
      expectSameModel(back.model, model);
      const buffer = Buffer.from(bytes);
      decodeModelFile(buffer, { source: 'buffer.arrow' });
      expect(buffer.equals(bytes)).toBe(true);
    }
  });

  it('carries a checksum Python\'s zlib.crc32 reproduces, as the README says', () => {
    const bytes = (modelFiles()[0] as { bytes: Uint8Array }).bytes;
    const script = [
      'import re, sys, zlib',
      'data = sys.stdin.buffer.read()',
      'digits = re.search(rb\'"checksum":"([0-9a-f]{8})"\', data).group(1)',
      'key = b\'"checksum":"\' + digits',
      'print(digits.decode(), format(zlib.crc32(data.replace(key, b\'"checksum":"00000000\')), "08x"))',
    ].join('\n');
    const run = spawnSync('python3', ['-c', script], { input: bytes, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const [stored, computed] = run.stdout.trim().split(' ');
    expect(computed).toBe(stored);
  });

  it('reseals a file edited with apache-arrow, old checksum and all', () => {
    const { bytes, model } = modelFiles()[0] as { bytes: Uint8Array; model: CombatModel };
    const table = tableFromIPC(bytes);
    const json = JSON.parse(table.schema.metadata.get('combat') as string) as Record<string, unknown>;
    // An edit that keeps the model: the same JSON with its keys in reverse order, old checksum kept.
    table.schema.metadata.set('combat', JSON.stringify(Object.fromEntries(Object.entries(json).reverse())));
    const rewritten = tableToIPC(table, 'file');
    expect(() => decodeModelFile(rewritten, { source: 'rewritten.arrow' })).toThrow(/does not match its checksum/);
    expectSameModel(decodeModelFile(sealModelFile(rewritten), { source: 'resealed.arrow' }).model, model);
  });

  it('keeps the sign of a zero prior', () => {
    const [table] = modelFiles();
    const batches = new Map([...table!.model.batches].map(([label, batch], b) => [label, b === 0 ? { ...batch, gammaBar: -0 } : batch]));
    const back = decodeModelFile(encodeModelFile({ ...table!.model, batches }, table!.extras), { source: 'm.arrow' });
    expect(Object.is(back.model.batches.get('siteA')!.gammaBar, -0)).toBe(true);
  });

  it('refuses a file that is not a model, with core\'s ModelFormatError', () => {
    expect(() => decodeModelFile(new TextEncoder().encode('hello'), { source: 'x.arrow' })).toThrow(ModelFormatError);
  });

  it('round-trips exactly for every legal coding, whatever the names; codeDesign refuses the others', () => {
    // Names and labels with the characters the column names are built from (":", "[", "]").
    const name = fc.constantFrom('batch', 'sex', 'sex:M', 'a:b', 'a', '[x]', 'x]', 'beta[batch:A]', 'é');
    const label = fc.constantFrom('A', 'M', 'b', 'b:c', ']', 'x]', '\u{1F600}');
    const seen = { refused: 0, roundTripped: 0 };
    fc.assert(
      fc.property(fc.uniqueArray(name, { maxLength: 2 }), fc.uniqueArray(name, { maxLength: 1 }), fc.uniqueArray(label, { minLength: 3, maxLength: 3 }), (categorical, continuous, labels) => {
        const { matrix, covariates } = syntheticData({ seed: 3, batchSizes: [6, 6, 6], features: 3 });
        const batchOf = new Map([
          ['siteA', labels[0]!],
          ['siteB', labels[1]!],
          ['siteC', labels[2]!],
        ]);
        const batch = covariates.batch.map((b) => batchOf.get(b)!);
        const candidate: Covariates = {
          batch,
          categorical: Object.fromEntries(categorical.map((n, k) => [n, batch.map((_, i) => (k === 0 ? labels[i % 3]! : labels[(i >> 1) % 2]!))])),
          continuous: Object.fromEntries(continuous.map((n) => [n, Float64Array.from(batch, (_, i) => Math.cos(i * 1.3))])),
        };
        try {
          codeDesign(candidate);
        } catch (error) {
          expect(error).toBeInstanceOf(CovariateNameError);
          seen.refused++;
          return;
        }
        const { model } = harmonize(matrix, candidate, { eb: false });
        const extras = { featureNames: ['f[0]', 'f:1', 'beta[x]'], columns: { batch: 'site', categorical, continuous } };
        const back = decodeModelFile(encodeModelFile(model, extras), { source: 'm.arrow' });
        expectSameModel(back.model, model);
        expect(back.featureNames).toEqual(extras.featureNames);
        expect(back.columns).toEqual(extras.columns);
        seen.roundTripped++;
      }),
      { numRuns: 120, examples: [[['sex'], ['sex:M'], ['A', 'M', 'b']]] },
    );
    expect(seen.refused).toBeGreaterThan(0); // names such as "sex:M" beside a covariate sex with a level M
    expect(seen.roundTripped).toBeGreaterThan(20);
  });
});
