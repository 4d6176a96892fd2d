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
    refused(new TextEncoder().encode('site,age,f000\nA,61,1.5\n'), 'not an Arrow IPC file: it starts with "site,age,f000\\nA,"; expected the bytes "ARROW1"', 'data.csv');
    refused(new Uint8Array(0), 'not an Arrow IPC file: it starts with nothing (0 bytes)');
    refused(Uint8Array.of(0, 1, 2, 250), 'not an Arrow IPC file: it starts with 00 01 02 fa');
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
    refused(rewrite(table.bytes, { seal: false, json: (j) => void (j.batchSizes[0] += 1) }), /does not match its checksum/);
    refused(rewrite(table.bytes, { seal: false, json: (j) => void delete j.checksum }), 'no checksum in the metadata; expected a model file written by encodeModelFile (or sealed with sealModelFile)');
    const footer = table.bytes.slice();
    footer.fill(0xff, footer.length - 10, footer.length - 6);
    refused(footer, 'damaged Arrow IPC file: its footer length (-1) does not fit in ' + footer.length + ' bytes');
    refused(rewrite(table.bytes, { json: (j) => void (j.chksum = '0') }), 'the "combat" metadata has an unknown field "chksum"; expected only formatVersion, features, coding, batchSizes, options, priors, columns, volume, checksum');
  });

  it('metadata that is not the model JSON', () => {
    refused(rewrite(table.bytes, { text: (t) => t.slice(0, -1) }), /^model\.arrow: the "combat" schema metadata is not valid JSON: /);
    refused(rewrite(table.bytes, { text: () => `[{"checksum":"${'0'.repeat(8)}"}]` }), 'the "combat" schema metadata is an array of 1; expected a JSON object');
    refused(rewrite(table.bytes, { json: (j) => void delete j.formatVersion }), 'formatVersion is undefined; expected 1');
    refused(rewrite(table.bytes, { json: (j) => void (j.formatVersion = 2) }), 'formatVersion is 2; expected 1');
    refused(rewrite(table.bytes, { json: (j) => void delete j.coding }), 'coding is undefined; expected a design coding');
    refused(rewrite(table.bytes, { json: (j) => void (j.batchSizes = [8, 7]) }), 'batchSizes is an array of 2; expected an array of 3 sample counts');
    refused(rewrite(table.bytes, { json: (j) => void (j.options.meanOnly = 0) }), 'options.meanOnly is a number (0); expected true or false');
    refused(rewrite(table.bytes, { json: (j) => void (j.features = 7) }), 'the table has 6 rows; expected one per feature (features is 7)');
    refused(rewrite(table.bytes, { json: (j) => void delete j.priors }), 'priors is undefined; expected { gammaBar, t2, aPrior, bPrior }');
    refused(rewrite(table.bytes, { json: (j) => void (j.priors.t2 = [1, 2]) }), 'priors.t2 is an array of 2; expected 3 values, one per batch');
    refused(rewrite(table.bytes, { json: (j) => void (j.priors.aPrior[0] = 'lots') }), 'priors.aPrior[0] is a string ("lots"); expected a number or one of "NaN", "Infinity", "-Infinity", "-0"');
  });

  it('a coding that does not match the columns, or is inconsistent', () => {
    refused(rewrite(table.bytes, { json: (j) => void j.coding.batches.reverse() }), 'coding.batches[1] is "siteB" after "siteC"; expected labels in code-point order without repeats');
    // A covariate dropped from the coding: the columns and the beta column still name it.
    refused(
      rewrite(table.bytes, { json: (j) => void ((j.coding.continuous = []), (j.coding.columns = j.coding.columns.slice(0, -1))) }),
      'column "beta[age]" is not part of a model of this coding',
    );
    refused(rewrite(table.bytes, { json: (j) => void (j.columns.continuousCols = ['weight']) }), 'columns.continuousCols is ["weight"]; expected the coding\'s covariates ["age"]');
    refused(rewrite(table.bytes, { json: (j) => void delete j.columns.categoricalCols }), 'columns.categoricalCols is []; expected the coding\'s covariates ["sex"]');
    refused(rewrite(table.bytes, { json: (j) => void (j.columns.batchCol = 7) }), 'columns.batchCol is a number (7); expected a column name');
    refused(rewrite(table.bytes, { json: (j) => void (j.columns.idCol = 'age') }), 'column "age" has two roles in columns; expected one role per column');
  });

  it('missing, extra, ill-typed or null columns', () => {
    refused(rewrite(table.bytes, { columns: (v) => void delete v['gammaStar[siteC]'] }), 'column "gammaStar[siteC]" is missing');
    refused(rewrite(table.bytes, { columns: (v) => void (v.notes = vectorFromArray(['a', 'b', 'c', 'd', 'e', 'f'])) }), /column "notes" is not part of a model of this coding/);
    refused(rewrite(table.bytes, { columns: (v) => void (v.feature = vectorFromArray(['a', 'b', 'c', 'd', 'e', 'f'])) }), 'column "feature" has type Dictionary<Int32, Utf8>; expected Utf8');
    refused(rewrite(table.bytes, { columns: (v) => void (v.varPooled = vectorFromArray(Array.from(v.varPooled!.toArray() as Float64Array), new Float32())) }), 'column "varPooled" has type Float32; expected Float64');
    refused(rewrite(table.bytes, { columns: (v) => void (v.grandMean = vectorFromArray([1, 2, null, 4, 5, 6])) }), 'column "grandMean" has 1 null cell(s); expected a value in every row');
    refused(rewrite(table.bytes, { columns: (v) => void (v.feature = vectorFromArray(['a', 'b', 'c', 'a', 'e', 'f'], new Utf8())) }), 'feature name "a" appears in rows 1 and 4; expected unique names');
  });

  it('values no fit produces, naming the feature by name and row', () => {
    const e = refused(rewrite(table.bytes, { columns: (v) => withCell(v, 'deltaStar[siteC]', 2, -0.3) }), 'feature "lh_c" (row 3): deltaStar[siteC] is -0.3; expected a positive number');
    expect(e.detail).toBe('model.arrow: feature "lh_c" (row 3): deltaStar[siteC] is -0.3; expected a positive number');
    refused(rewrite(table.bytes, { columns: (v) => withCell(v, 'varPooled', 0, NaN) }), 'feature "lh_a" (row 1): varPooled is NaN; expected a positive number');
    refused(rewrite(table.bytes, { columns: (v) => void (v.adjusted = makeVector(Uint8Array.of(1, 1, 1, 3, 1, 1))) }), 'feature "lh_d" (row 4): adjusted is 3; expected 0 or 1');
  });

  it('a volume geometry that does not hold the voxels', () => {
    const voxels = (values: number[]) => (v: Record<string, Vector>) => void (v.voxel = makeVector(Int32Array.from(values)));
    refused(rewrite(volume.bytes, { columns: voxels([1, 4, 5, 9, 17, 24]) }), 'voxel index in row 6 is 24; expected 0 to 23 (the volume has shape 4 x 3 x 2)');
    refused(rewrite(volume.bytes, { columns: voxels([-1, 4, 5, 9, 17, 23]) }), 'voxel index in row 1 is -1; expected 0 to 23');
    refused(rewrite(volume.bytes, { columns: voxels([1, 5, 4, 9, 17, 23]) }), 'voxel index in row 3 is 4 after 5; expected strictly ascending indices');
    refused(rewrite(volume.bytes, { columns: (v) => void delete v.voxel }), 'column "voxel" is missing');
    refused(rewrite(volume.bytes, { json: (j) => void (j.volume.shape = [4, 3]) }), 'volume.shape is [4,3]; expected 3 positive integers');
    refused(rewrite(volume.bytes, { json: (j) => void (j.volume.shape = [4, 3, 2.5]) }), 'volume.shape is [4,3,2.5]; expected 3 positive integers');
    refused(rewrite(volume.bytes, { json: (j) => void (j.volume.affine[3] = null) }), 'volume.affine is an array of 16; expected 16 finite numbers');
    refused(rewrite(volume.bytes, { json: (j) => void (j.volume = 'yes') }), 'volume is a string ("yes"); expected { shape, affine }');
    refused(rewrite(volume.bytes, { json: (j) => void delete j.volume }), 'column "voxel" is not part of a model of this coding');
  });

  it('readModel names the path, whatever is wrong', async () => {
    const dir = await temporaryFolder('model');
    await writeFile(join(dir, 'data.csv'), 'site,age\nA,61\n');
    await expect(readModel(join(dir, 'data.csv'))).rejects.toThrow(new ModelFormatError(`${join(dir, 'data.csv')}: not an Arrow IPC file: it starts with "site,age\\nA,61\\n"; expected the bytes "ARROW1"`));
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

  it('covariate columns other than the coding\'s, a volume that does not hold the voxels, an invalid model', async () => {
    expect(() => encodeModelFile(table.model, { ...table.extras, columns: { batch: 'site', continuous: ['age'] } })).toThrow(
      'model file: columns.categorical is []; expected the coding\'s covariates ["sex"]',
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
      new ModelFormatError('model file: idColumn is a string ("subject") without columns; the file keeps the id column with the covariate columns'),
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

describe('the file keeps its format: the extras are stored under the keys files have always had', () => {
  const metadata = (bytes: Uint8Array): Record<string, any> => JSON.parse(tableFromIPC(bytes).schema.metadata.get('combat')!);

  it('columns as batchCol, categoricalCols, continuousCols, idCol; the mask as volume and the voxel column', () => {
    expect(metadata(table.bytes).columns).toEqual({ batchCol: 'site', categoricalCols: ['sex'], continuousCols: ['age'], idCol: 'subject' });
    expect(Object.keys(metadata(table.bytes))).toEqual(['checksum', 'formatVersion', 'features', 'coding', 'batchSizes', 'options', 'priors', 'columns']);
    const json = metadata(volume.bytes);
    expect(json.columns).toEqual({ batchCol: 'site', categoricalCols: ['sex'], continuousCols: ['age'] });
    expect(json.volume).toEqual({ shape: [4, 3, 2], affine: [2, 0, 0, -90, 0, 2, 0, -126, 0, 0, 2, -72, 0, 0, 0, 1] });
    expect(Array.from(tableFromIPC(volume.bytes).getChild('voxel')!.toArray() as Int32Array)).toEqual([1, 4, 5, 9, 17, 23]);
  });

  it('a file without the optional lists or id column reads back without them', () => {
    const bytes = rewrite(table.bytes, { json: (j) => void (j.columns = { batchCol: 'site', categoricalCols: ['sex'], continuousCols: ['age'] }) });
    const decoded = decodeModelFile(bytes, { source: 'model.arrow' });
    expect(decoded.columns).toEqual({ batch: 'site', categorical: ['sex'], continuous: ['age'] });
    expect('idColumn' in decoded).toBe(false);
    expect('mask' in decoded).toBe(false);
  });
});
