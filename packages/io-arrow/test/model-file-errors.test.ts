import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CombatError, InputOverwriteError, InputReadError } from '@combat/base';
import { ModelFormatError } from '@combat/core';
import { temporaryFolder } from '@combat/test-support';
import { Float32, Table as ArrowTable, Utf8, makeVector, tableFromIPC, tableToIPC, vectorFromArray, type Vector } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { decodeModelFile, encodeArrowTable, encodeModelFile, parseDelimited, sealModelFile } from '../src/index.js';
import { readModel, writeModel } from '../src/node.js';
import { modelFiles, rewrite, withCell } from './model-file-fixtures.js';

const [table, volume] = modelFiles() as [ReturnType<typeof modelFiles>[number], ReturnType<typeof modelFiles>[number]];

function refused(bytes: Uint8Array, message: string | RegExp, source = 'model.arrow'): ModelFormatError {
  try {
    decodeModelFile(bytes, { source });
  } catch (error) {
    expect(error).toBeInstanceOf(ModelFormatError);
    expect(error).toBeInstanceOf(CombatError);
    expect((error as Error).message).toMatch(typeof message === 'string' ? `${source}: ${message}` : message);
    expect((error as Error).message.startsWith(`${source}: `)).toBe(true);
    return error as ModelFormatError;
  }
  return expect.fail(`expected ModelFormatError: ${message}`);
}

describe('a file that is not a model file is a ModelFormatError naming the file', () => {
  it('a CSV, an empty file, a truncated file, a data table', () => {
    // The CSV of issue 9: apache-arrow read "subj" as a metadata length ("Expected to read 1784837491 metadata bytes").
    const csv = refused(new TextEncoder().encode('subject,site,sex,age,lh_x\nsub-001,A,F,61,2.1\n'), 'not an Arrow IPC model file: it starts with "subject,site,sex"; expected the bytes "ARROW1"', 'data.csv');
    expect(csv.message).not.toMatch(/metadata bytes/);
    refused(new TextEncoder().encode('site,age,f000\nA,61,1.5\n'), 'not an Arrow IPC model file: it starts with "site,age,f000\\nA,"; expected the bytes "ARROW1"', 'data.csv');
    refused(new Uint8Array(0), 'not an Arrow IPC model file: it starts with nothing (0 bytes)');
    refused(Uint8Array.of(0, 1, 2, 250), 'not an Arrow IPC model file: it starts with 00 01 02 fa');
    refused(table.bytes.slice(0, 1000), `truncated Arrow IPC file (1000 bytes): it does not end with "ARROW1"`);
    const data = encodeArrowTable(parseDelimited('site,age\nA,61\n', { source: 'x.csv' }), new Map());
    refused(data, 'no checksum in the metadata; expected a model file written by encodeModelFile (or sealed with sealModelFile)');
    // A data table sealed as if it were a model (a column name supplies the placeholder).
    const named = tableToIPC(new ArrowTable({ [`"checksum":"${'0'.repeat(8)}"`]: makeVector(Float64Array.of(1, 2)) }), 'file');
    refused(sealModelFile(named), 'no "combat" schema metadata; not a ComBat model file');
  });

  it('bytes that do not match the checksum, no checksum, an unknown field: refused before parsing', () => {
    const flipped = table.bytes.slice();
    flipped[9] ^= 0xa6; // the record batch's continuation marker: apache-arrow would loop forever on it
    refused(flipped, /^model\.arrow: the file does not match its checksum \(stored [0-9a-f]{8}, computed [0-9a-f]{8}\): it was changed or damaged after it was written$/);
    refused(rewrite(table.bytes, { seal: false, columns: (v) => withCell(v, 'beta[age]', 1, 0.25) }), /does not match its checksum/);
    refused(rewrite(table.bytes, { seal: false, json: (j) => void (j.batches[0].samples += 1) }), /does not match its checksum/);
    refused(rewrite(table.bytes, { seal: false, json: (j) => void delete j.checksum }), 'no checksum in the metadata; expected a model file written by encodeModelFile (or sealed with sealModelFile)');
    const footer = table.bytes.slice();
    footer.fill(0xff, footer.length - 10, footer.length - 6);
    refused(footer, 'damaged Arrow IPC file: its footer length (-1) does not fit in ' + footer.length + ' bytes');
    refused(
      rewrite(table.bytes, { json: (j) => void (j.chksum = '0') }),
      'the "combat" metadata has an unknown field "chksum"; expected only checksum, formatVersion, features, coding, refBatch, options, batches, priors, columns, idColumn, mask (format version 2)',
    );
    // The keys of format version 1 in a file of version 2.
    refused(rewrite(table.bytes, { json: (j) => void (j.batchSizes = [8, 7, 9]) }), /^model\.arrow: the "combat" metadata has an unknown field "batchSizes"; expected only checksum, /);
  });

  it('metadata that is not the model JSON', () => {
    refused(rewrite(table.bytes, { text: (t) => t.slice(0, -1) }), /^model\.arrow: the "combat" schema metadata is not valid JSON: /);
    refused(rewrite(table.bytes, { text: () => `[{"checksum":"${'0'.repeat(8)}"}]` }), 'the "combat" schema metadata is an array of 1; expected a JSON object');
    refused(rewrite(table.bytes, { json: (j) => void delete j.formatVersion }), 'formatVersion is undefined; expected 3, 2 or 1');
    refused(rewrite(table.bytes, { json: (j) => void (j.formatVersion = 4) }), 'formatVersion is a number (4); expected 3, 2 or 1');
    refused(rewrite(table.bytes, { json: (j) => void (j.formatVersion = 3) }), 'covbat is missing; expected the CovBat part in format version 3');
    refused(rewrite(table.bytes, { json: (j) => void (j.formatVersion = '2') }), 'formatVersion is a string ("2"); expected 3, 2 or 1');
    refused(rewrite(table.bytes, { json: (j) => void delete j.coding }), 'coding is undefined; expected a design coding { terms, columns }');
    refused(rewrite(table.bytes, { json: (j) => void (j.options.meanOnly = 0) }), 'options.meanOnly is a number (0); expected true or false');
    refused(rewrite(table.bytes, { json: (j) => void (j.features = 7) }), 'the table has 6 rows; expected one per feature (features is 7)');
    refused(rewrite(table.bytes, { json: (j) => void delete j.priors }), 'priors is undefined; expected { gammaBar, t2, aPrior, bPrior }');
    refused(rewrite(table.bytes, { json: (j) => void (j.priors.t2 = [1, 2]) }), 'priors.t2 is an array of 2; expected 3 values, one per batch');
    refused(rewrite(table.bytes, { json: (j) => void (j.priors.aPrior[0] = 'lots') }), 'priors.aPrior[0] is a string ("lots"); expected a number or one of "NaN", "Infinity", "-Infinity", "-0"');
  });

  it('metadata of the wrong types: a ModelFormatError naming the field, never a TypeError', () => {
    const cases: [(j: Record<string, any>) => unknown, string][] = [
      [(j) => void (j.coding = []), 'coding is an array of 0; expected a design coding { terms, columns }'],
      [(j) => void (j.coding.terms = 'sex'), 'coding.terms is a string ("sex"); expected an array'],
      [(j) => void (j.coding.terms[0] = null), 'coding.terms[0] is null; expected a term { kind, name, ... }'],
      [(j) => void (j.coding.terms[0].levels = { F: 1 }), 'coding.terms[0].levels is an object; expected an array'],
      [(j) => void (j.coding.terms[1].range = ['NaN', 'Infinity']), 'coding.terms[1].range is an array of 2; expected null or two finite numbers [smallest, largest] in order'],
      [(j) => void (j.coding.terms[1].kind = 'ordinal'), 'coding.terms[1].kind is a string ("ordinal"); expected "categorical", "continuous" or "spline"'],
      [(j) => void (j.coding.terms[1].kind = 'spline'), 'coding.terms[1].knots is undefined; expected an array of numbers'],
      [(j) => void (j.batches = { siteA: 8 }), 'batches is an object; expected an array'],
      [(j) => void (j.batches[0] = 'siteA'), 'batches[0] is a string ("siteA"); expected { batch, samples, training }'],
      [(j) => void (j.batches[1] = null), 'batches[1] is null; expected { batch, samples, training }'],
      [(j) => void (j.batches[0].samples = 'NaN'), 'batches[0].samples (batch siteA) is a string ("NaN"); expected a positive integer'],
      [(j) => void (j.batches[2].training = 'yes'), 'batches[2].training (batch siteC) is a string ("yes"); expected true or false'],
      [(j) => void (j.options = null), 'options is null; expected { eb, parametric, meanOnly }'],
      [(j) => void (j.refBatch = 5), 'refBatch is a number (5); expected null or one of the training batches (siteA, siteB, siteC)'],
      [(j) => void delete j.refBatch, 'refBatch is undefined; expected null or one of the training batches (siteA, siteB, siteC)'],
      [(j) => void (j.features = 'NaN'), 'features is a string ("NaN"); expected a positive integer'],
      [(j) => void (j.priors = [1, 2, 3]), 'priors is an array of 3; expected { gammaBar, t2, aPrior, bPrior }'],
      [(j) => void (j.columns = 'site'), 'columns is a string ("site"); expected { batch, categorical?, continuous? }'],
      [(j) => void (j.columns.categorical = 'sex'), 'columns.categorical is a string ("sex"); expected the names of the coding\'s categorical terms ["sex"]'],
      [(j) => void (j.idColumn = ['subject']), 'idColumn is an array of 1; expected a column name'],
    ];
    for (const [edit, message] of cases) refused(rewrite(table.bytes, { json: edit }), message);
  });

  it('a coding that does not match the columns, or is inconsistent', () => {
    refused(rewrite(table.bytes, { json: (j) => void j.batches.reverse() }), 'batches[].batch[1] is "siteB" after "siteC"; expected labels in code-point order without repeats');
    // A covariate dropped from the coding: the columns and the beta column still name it.
    refused(
      rewrite(table.bytes, { json: (j) => void ((j.coding.terms = j.coding.terms.slice(0, -1)), (j.coding.columns = j.coding.columns.slice(0, -1))) }),
      'column "beta[age]" is not part of a model of this coding',
    );
    // A batch dropped from, or added to, the metadata: the per-batch columns say otherwise.
    refused(rewrite(table.bytes, { json: (j) => void (j.batches = j.batches.slice(0, 2)) }), 'column "gammaStar[siteC]" is not part of a model of this coding');
    refused(rewrite(table.bytes, { json: (j) => void j.batches.push({ batch: 'siteD', samples: 4, training: false }) }), 'column "gammaStar[siteD]" is missing');
    refused(rewrite(table.bytes, { json: (j) => void (j.columns.continuous = ['weight']) }), 'columns.continuous is ["weight"]; expected the names of the coding\'s continuous terms ["age"]');
    refused(rewrite(table.bytes, { json: (j) => void delete j.columns.categorical }), 'columns.categorical is []; expected the names of the coding\'s categorical terms ["sex"]');
    refused(rewrite(table.bytes, { json: (j) => void (j.columns.batch = 7) }), 'columns.batch is a number (7); expected a column name');
    refused(rewrite(table.bytes, { json: (j) => void (j.columns.batchCol = 'site') }), 'columns has an unknown field "batchCol"; expected only batch, categorical, continuous');
    refused(rewrite(table.bytes, { json: (j) => void (j.idColumn = 'age') }), 'column "age" has two roles in columns; expected one role per column');
    refused(rewrite(table.bytes, { json: (j) => void delete j.columns }), 'idColumn is a string ("subject") without columns; expected the covariate columns too (the id column names the rows of their table)');
  });

  it('missing, extra, ill-typed or null columns', () => {
    refused(rewrite(table.bytes, { columns: (v) => void delete v['gammaStar[siteC]'] }), 'column "gammaStar[siteC]" is missing');
    refused(rewrite(table.bytes, { columns: (v) => void delete v['adjusted[siteA]'] }), 'column "adjusted[siteA]" is missing');
    refused(rewrite(table.bytes, { columns: (v) => void (v['beta[batch:siteA]'] = v['beta[age]']!) }), /column "beta\[batch:siteA\]" is not part of a model of this coding/);
    refused(rewrite(table.bytes, { columns: (v) => void (v.notes = vectorFromArray(['a', 'b', 'c', 'd', 'e', 'f'])) }), /column "notes" is not part of a model of this coding/);
    refused(rewrite(table.bytes, { columns: (v) => void (v.feature = vectorFromArray(['a', 'b', 'c', 'd', 'e', 'f'])) }), 'column "feature" has type Dictionary<Int32, Utf8>; expected Utf8');
    refused(rewrite(table.bytes, { columns: (v) => void (v.varPooled = vectorFromArray(Array.from(v.varPooled!.toArray() as Float64Array), new Float32())) }), 'column "varPooled" has type Float32; expected Float64');
    refused(rewrite(table.bytes, { columns: (v) => void (v['adjusted[siteB]'] = makeVector(Float64Array.of(1, 1, 1, 0, 1, 1))) }), 'column "adjusted[siteB]" has type Float64; expected Uint8');
    refused(rewrite(table.bytes, { columns: (v) => void (v.grandMean = vectorFromArray([1, 2, null, 4, 5, 6])) }), 'column "grandMean" has 1 null cell(s); expected a value in every row');
    refused(rewrite(table.bytes, { columns: (v) => void (v.feature = vectorFromArray(['a', 'b', 'c', 'a', 'e', 'f'], new Utf8())) }), 'feature name "a" appears in rows 1 and 4; expected unique names');
  });

  it('values no fit produces, naming the feature by name and row', () => {
    const e = refused(rewrite(table.bytes, { columns: (v) => withCell(v, 'deltaStar[siteC]', 2, -0.3) }), 'feature "lh_c" (row 3): deltaStar[siteC] is -0.3; expected a positive number');
    expect(e.detail).toBe('model.arrow: feature "lh_c" (row 3): deltaStar[siteC] is -0.3; expected a positive number');
    refused(rewrite(table.bytes, { columns: (v) => withCell(v, 'varPooled', 0, NaN) }), 'feature "lh_a" (row 1): varPooled is NaN; expected a positive number');
    refused(rewrite(table.bytes, { columns: (v) => void (v.adjusted = makeVector(Uint8Array.of(1, 1, 1, 3, 1, 1))) }), 'feature "lh_d" (row 4): adjusted is 3; expected 0 or 1');
    // Feature lh_d is not fitted: no batch may adjust it.
    refused(
      rewrite(table.bytes, { columns: (v) => void (v['adjusted[siteC]'] = makeVector(Uint8Array.of(1, 1, 1, 1, 1, 1))) }),
      /^model\.arrow: feature "lh_d" \(row 4\): batches\.get\("siteC"\)\.adjusted is 1; expected 0/,
    );
  });

  it('a mask geometry that does not hold the voxels', () => {
    const voxels = (values: number[]) => (v: Record<string, Vector>) => void (v.voxel = makeVector(Int32Array.from(values)));
    refused(rewrite(volume.bytes, { columns: voxels([1, 4, 5, 9, 17, 24]) }), 'voxel index in row 6 is 24; expected 0 to 23 (the volume has shape 4 x 3 x 2)');
    refused(rewrite(volume.bytes, { columns: voxels([-1, 4, 5, 9, 17, 23]) }), 'voxel index in row 1 is -1; expected 0 to 23');
    refused(rewrite(volume.bytes, { columns: voxels([1, 5, 4, 9, 17, 23]) }), 'voxel index in row 3 is 4 after 5; expected strictly ascending indices');
    refused(rewrite(volume.bytes, { columns: (v) => void delete v.voxel }), 'column "voxel" is missing');
    refused(rewrite(volume.bytes, { json: (j) => void (j.mask.shape = [4, 3]) }), 'mask.shape is [4,3]; expected 3 positive integers');
    refused(rewrite(volume.bytes, { json: (j) => void (j.mask.shape = [4, 3, 2.5]) }), 'mask.shape is [4,3,2.5]; expected 3 positive integers');
    refused(rewrite(volume.bytes, { json: (j) => void (j.mask.shape = [4, 3, 'NaN']) }), 'mask.shape is [4,3,"NaN"]; expected 3 positive integers');
    refused(rewrite(volume.bytes, { json: (j) => void (j.mask.affine[3] = null) }), 'mask.affine is an array of 16; expected 16 finite numbers');
    refused(rewrite(volume.bytes, { json: (j) => void (j.mask = 'yes') }), 'mask is a string ("yes"); expected { shape, affine }');
    refused(rewrite(volume.bytes, { json: (j) => void (j.mask.indices = [1, 4, 5, 9, 17, 23]) }), 'mask has an unknown field "indices"; expected only shape, affine');
    refused(rewrite(volume.bytes, { json: (j) => void delete j.mask }), 'column "voxel" is not part of a model of this coding');
  });

  it('readModel names the path, whatever is wrong', async () => {
    const dir = await temporaryFolder('model');
    await writeFile(join(dir, 'data.csv'), 'site,age\nA,61\n');
    await expect(readModel(join(dir, 'data.csv'))).rejects.toThrow(new ModelFormatError(`${join(dir, 'data.csv')}: not an Arrow IPC model file: it starts with "site,age\\nA,61\\n"; expected the bytes "ARROW1"`));
    // A file that cannot be read is not a format error: nothing of it was seen.
    await expect(readModel(join(dir, 'none.arrow'))).rejects.toThrow(InputReadError);
    await expect(readModel(join(dir, 'none.arrow'))).rejects.toThrow(/none\.arrow: cannot be read: ENOENT/);
    await expect(readModel(join(dir, 'none.arrow'))).rejects.toMatchObject({ path: join(dir, 'none.arrow'), cause: { code: 'ENOENT' } });
  });
});

describe('encoding refuses what decoding would refuse', () => {
  it('feature names that are not one unique string per feature', () => {
    const dup = { ...table.extras, featureNames: ['a', 'b', 'c', 'd', 'e', 'a'] };
    expect(() => encodeModelFile(table.model, dup)).toThrow(new ModelFormatError('model file: feature name "a" appears in rows 1 and 6; expected unique names'));
    expect(() => encodeModelFile(table.model, { ...table.extras, featureNames: ['a'] })).toThrow('model file: featureNames is an array of 1; expected 6 names, one per feature');
    expect(() => encodeModelFile(table.model, dup, { target: 'out/model.arrow' })).toThrow(/^out\/model\.arrow: feature name "a"/);
  });

  it('covariate columns other than the names of the coding\'s terms, a volume that does not hold the voxels, an invalid model', async () => {
    expect(() => encodeModelFile(table.model, { ...table.extras, columns: { batch: 'site', continuous: ['age'] } })).toThrow(
      'model file: columns.categorical is []; expected the names of the coding\'s categorical terms ["sex"]',
    );
    expect(() => encodeModelFile(table.model, { ...table.extras, columns: { batch: 'site', categorical: ['age'], continuous: ['sex'] } })).toThrow(
      'model file: columns.categorical is ["age"]; expected the names of the coding\'s categorical terms ["sex"]',
    );
    const outside = { ...volume.extras.mask!, indices: Int32Array.of(1, 4, 5, 9, 17, 24) };
    expect(() => encodeModelFile(volume.model, { ...volume.extras, mask: outside })).toThrow('model file: voxel index in row 6 is 24; expected 0 to 23');
    const tampered = { ...table.model, varPooled: table.model.varPooled.map((x, v) => (v === 0 ? -1 : x)) };
    expect(() => encodeModelFile(tampered, table.extras)).toThrow(new ModelFormatError('varPooled is -1; expected a positive number', { feature: 0 }));
    const dir = await temporaryFolder('model');
    await expect(writeModel(join(dir, 'm.arrow'), table.model, { ...table.extras, featureNames: ['x', 'x', 'y', 'z', 'w', 'v'] })).rejects.toThrow(/m\.arrow: feature name "x" appears in rows 1 and 2/);
  });

  it('names the fields as the extras do: columns.batch, idColumn, mask', () => {
    expect(() => encodeModelFile(table.model, { ...table.extras, columns: { ...table.extras.columns!, batch: '' } })).toThrow(new ModelFormatError('model file: columns.batch is a string (""); expected a column name'));
    expect(() => encodeModelFile(table.model, { ...table.extras, idColumn: 'age' })).toThrow(new ModelFormatError('model file: column "age" has two roles in columns; expected one role per column'));
    expect(() => encodeModelFile(table.model, { featureNames: table.extras.featureNames, idColumn: 'subject' })).toThrow(
      new ModelFormatError('model file: idColumn is a string ("subject") without columns; expected the covariate columns too (the id column names the rows of their table)'),
    );
    expect(() => encodeModelFile(volume.model, { ...volume.extras, mask: { ...volume.extras.mask!, shape: [4, 3] } })).toThrow(new ModelFormatError('model file: mask.shape is [4,3]; expected 3 positive integers'));
  });

  it('writeModel refuses to write over an input, with base\'s InputOverwriteError', async () => {
    const dir = await temporaryFolder('model');
    await writeFile(join(dir, 'data.csv'), 'site\nA\n');
    const written = writeModel(join(dir, 'data.csv'), table.model, table.extras, { protect: [join(dir, 'data.csv')] });
    await expect(written).rejects.toBeInstanceOf(InputOverwriteError);
    await expect(written).rejects.toThrow(/refusing to write .*data\.csv: it is an input/);
  });
});

describe('the layout of format version 2: core\'s model metadata, the extras under the API\'s names', () => {
  const metadata = (bytes: Uint8Array): Record<string, any> => JSON.parse(tableFromIPC(bytes).schema.metadata.get('combat')!);

  it('the JSON keys, the coding with its terms, a batch list, the extras as columns, idColumn and mask', () => {
    const json = metadata(table.bytes);
    expect(Object.keys(json)).toEqual(['checksum', 'formatVersion', 'features', 'coding', 'refBatch', 'options', 'batches', 'priors', 'columns', 'idColumn']);
    expect(json.formatVersion).toBe(2);
    expect(json.coding).toEqual({ terms: table.model.coding.terms, columns: ['sex:M', 'age'] });
    expect(json.coding.terms[1].range).toHaveLength(2);
    expect(json.refBatch).toBe('siteB');
    expect(json.batches).toEqual([
      { batch: 'siteA', samples: 8, training: true },
      { batch: 'siteB', samples: 7, training: true },
      { batch: 'siteC', samples: 9, training: true },
    ]);
    expect(json.priors.aPrior).toEqual([table.model.batches.get('siteA')!.aPrior, 'Infinity', table.model.batches.get('siteC')!.aPrior]);
    expect(json.columns).toEqual({ batch: 'site', categorical: ['sex'], continuous: ['age'] });
    expect(json.idColumn).toBe('subject');
    const volumeJson = metadata(volume.bytes);
    expect(Object.keys(volumeJson)).toEqual(['checksum', 'formatVersion', 'features', 'coding', 'refBatch', 'options', 'batches', 'priors', 'columns', 'mask']);
    expect(volumeJson.mask).toEqual({ shape: [4, 3, 2], affine: [2, 0, 0, -90, 0, 2, 0, -126, 0, 0, 2, -72, 0, 0, 0, 1] });
    expect(Array.from(tableFromIPC(volume.bytes).getChild('voxel')!.toArray() as Int32Array)).toEqual([1, 4, 5, 9, 17, 23]);
  });

  it('the columns: covariate betas only, then each batch\'s effects and flags', () => {
    const perBatch = (batch: string) => [`gammaStar[${batch}]`, `deltaStar[${batch}]`, `gammaHat[${batch}]`, `deltaHat[${batch}]`, `adjusted[${batch}]`];
    const names = tableFromIPC(table.bytes).schema.fields.map((field) => [field.name, String(field.type)]);
    expect(names.map(([name]) => name)).toEqual(['feature', 'adjusted', 'varPooled', 'grandMean', 'beta[sex:M]', 'beta[age]', ...perBatch('siteA'), ...perBatch('siteB'), ...perBatch('siteC')]);
    expect(Object.fromEntries(names)).toMatchObject({ feature: 'Utf8', adjusted: 'Uint8', 'beta[age]': 'Float64', 'adjusted[siteC]': 'Uint8', 'deltaHat[siteC]': 'Float64' });
    expect(tableFromIPC(volume.bytes).schema.fields.map((field) => field.name).slice(0, 3)).toEqual(['feature', 'voxel', 'adjusted']);
  });

  it('a file without the optional lists or id column reads back without them', () => {
    const bytes = rewrite(table.bytes, { json: (j) => void ((j.columns = { batch: 'site', categorical: ['sex'], continuous: ['age'] }), delete j.idColumn) });
    const decoded = decodeModelFile(bytes, { source: 'model.arrow' });
    expect(decoded.columns).toEqual({ batch: 'site', categorical: ['sex'], continuous: ['age'] });
    expect('idColumn' in decoded).toBe(false);
    expect('mask' in decoded).toBe(false);
    const bare = decodeModelFile(encodeModelFile(table.model, { featureNames: table.extras.featureNames }), { source: 'model.arrow' });
    expect(Object.keys(bare).sort()).toEqual(['featureNames', 'formatVersion', 'model']);
    expect(Object.keys(metadata(encodeModelFile(table.model, { featureNames: table.extras.featureNames })))).not.toContain('columns');
  });
});
