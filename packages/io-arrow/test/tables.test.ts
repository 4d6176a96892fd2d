import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InputOverwriteError, InputReadError } from '@combat/base';
import { temporaryFolder } from '@combat/test-support';
import { describe, expect, it } from 'vitest';
import { TableFormatError, covariatesFromTable, formatDelimited, parseDelimited, tableMatrix, type ArrowColumn } from '../src/index.js';
import { readTable, writeTable } from '../src/node.js';

const CSV = 'subject,site,age,sex,f000,f001,note\n001,A,61,F,1.5,NA,"x, y"\n002,B,47,M,,2.25,plain\n003,B,52.5,F,NaN,3,\n';

describe('delimited tables', () => {
  const table = parseDelimited(CSV, { source: 'covars.csv' });

  it('reads empty cells, NA and NaN as missing, and numeric columns as float64', () => {
    expect(table.names).toEqual(['subject', 'site', 'age', 'sex', 'f000', 'f001', 'note']);
    expect(Array.from(table.columns.get('f000')!.numbers!)).toEqual([1.5, NaN, NaN]);
    expect(Array.from(table.columns.get('f001')!.numbers!)).toEqual([NaN, 2.25, 3]);
    expect(table.columns.get('subject')!.numbers).not.toBeNull();
    expect(table.columns.get('note')!.cells).toEqual(['x, y', 'plain', null]);
    expect(table.columns.get('site')!.numbers).toBeNull();
  });

  it('gives the matrix of the named features and the covariates by role', () => {
    const columns = { batch: 'site', categorical: ['sex'], continuous: ['age'] };
    expect(Array.from(tableMatrix(table, ['f000', 'f001']).data)).toEqual([1.5, NaN, NaN, 2.25, NaN, 3]);
    const covariates = covariatesFromTable(table, columns, { idColumn: 'subject' });
    expect(covariates.batch).toEqual(['A', 'B', 'B']);
    expect(Array.from(covariates.continuous!.age!)).toEqual([61, 47, 52.5]);
  });

  it('writes every column in order: replaced ones in shortest round-trip form, others as read', () => {
    const text = formatDelimited(table, new Map([['f000', Float64Array.of(0.1 + 0.2, NaN, 1e-7)]]));
    expect(text).toBe('subject,site,age,sex,f000,f001,note\n001,A,61,F,0.30000000000000004,NA,"x, y"\n002,B,47,M,,2.25,plain\n003,B,52.5,F,1e-7,3,\n');
    expect(formatDelimited(parseDelimited(CSV.replaceAll(',', '\t').replace('"x\t y"', 'x y'), { source: 't.tsv', delimiter: '\t' }), new Map(), { delimiter: '\t' })).toContain('001\tA\t61\tF\t1.5\tNA\tx y');
  });

  it('round-trips through Arrow IPC, keeping every column', async () => {
    const dir = await temporaryFolder('tables');
    await writeFile(join(dir, 'in.csv'), CSV);
    const csv = await readTable(join(dir, 'in.csv'));
    await writeTable(join(dir, 'out.feather'), csv, new Map([['f000', Float64Array.of(1, 2, NaN)]]));
    const arrow = await readTable(join(dir, 'out.feather'));
    expect(arrow.names).toEqual(csv.names);
    expect(Array.from(arrow.columns.get('f000')!.numbers!)).toEqual([1, 2, NaN]);
    expect(arrow.columns.get('note')!.cells).toEqual(['x, y', 'plain', null]);
    await writeTable(join(dir, 'again.arrow'), arrow, new Map());
    expect((await readTable(join(dir, 'again.arrow'))).columns.get('age')!.numbers).toEqual(arrow.columns.get('age')!.numbers);
  });

  it('writes numeric text columns to Arrow as numbers, unless the number would lose what the text says', async () => {
    const dir = await temporaryFolder('tables');
    await writeFile(join(dir, 'ids.csv'), 'id,big,age,score\n0001,9007199254740995,61,29.00\n0002,9007199254740997,47,3.5\n');
    await writeTable(join(dir, 'ids.feather'), await readTable(join(dir, 'ids.csv')), new Map());
    const arrow = await readTable(join(dir, 'ids.feather'));
    expect(arrow.columns.get('id')!.cells).toEqual(['0001', '0002']);
    expect(arrow.columns.get('big')!.cells).toEqual(['9007199254740995', '9007199254740997']);
    expect(Array.from(arrow.columns.get('score')!.numbers!)).toEqual([29, 3.5]);
    expect(Array.from(arrow.columns.get('age')!.numbers!)).toEqual([61, 47]);
    expect(String((arrow.columns.get('age') as ArrowColumn).vector.type)).toBe('Float64');
  });
});

describe('table errors name the file, row and column', () => {
  const table = parseDelimited(CSV, { source: 'covars.csv' });

  it('a missing column lists the columns that exist', () => {
    expect(() => covariatesFromTable(table, { batch: 'scanner' })).toThrow(
      new TableFormatError('covars.csv: batch column "scanner" not found; columns are subject, site, age, sex, f000, f001, note'),
    );
  });

  it('a non-numeric cell', () => {
    expect(() => tableMatrix(table, ['sex'])).toThrow(new TableFormatError('covars.csv: row 1, column "sex": "F" is not a number'));
  });

  it('a missing covariate or batch value', () => {
    expect(() => covariatesFromTable(table, { batch: 'note' })).toThrow(/covars\.csv: row 3, column "note": missing/);
  });

  it('a ragged row, duplicate header names, an unknown extension, a broken Arrow file', async () => {
    expect(() => parseDelimited('a,b\n1,2,3\n', { source: 'r.csv' })).toThrow(new TableFormatError('r.csv: row 1 has 3 cells; the header has 2'));
    expect(() => parseDelimited('a,a\n1,2\n', { source: 'd.csv' })).toThrow(/column "a" appears twice/);
    await expect(readTable('data.xlsx')).rejects.toThrow(/data\.xlsx: unknown table extension "\.xlsx"/);
    const dir = await temporaryFolder('bad');
    await writeFile(join(dir, 'bad.arrow'), 'not arrow at all');
    await expect(readTable(join(dir, 'bad.arrow'))).rejects.toThrow(/bad\.arrow: not a readable Arrow IPC file or stream/);
  });

  it('a file that cannot be read is an InputReadError with its path and cause, not a format error', async () => {
    const dir = await temporaryFolder('unreadable');
    const missing = join(dir, 'missing.csv');
    await expect(readTable(missing)).rejects.toBeInstanceOf(InputReadError);
    await expect(readTable(missing)).rejects.toThrow(`${missing}: cannot be read: ENOENT: no such file or directory, open '${missing}'`);
    await expect(readTable(missing)).rejects.toMatchObject({ name: 'InputReadError', code: 'INPUT_READ', path: missing, cause: { code: 'ENOENT' } });
    await mkdir(join(dir, 'folder.tsv'));
    await expect(readTable(join(dir, 'folder.tsv'))).rejects.toMatchObject({ name: 'InputReadError', cause: { code: 'EISDIR' } });
  });

  it('refuses to write over its input, and leaves nothing half-written', async () => {
    const dir = await temporaryFolder('protect');
    await writeFile(join(dir, 'in.csv'), CSV);
    const input = await readTable(join(dir, 'in.csv'));
    const written = writeTable(join(dir, 'in.csv'), input, new Map());
    await expect(written).rejects.toBeInstanceOf(InputOverwriteError);
    await expect(written).rejects.toThrow(/refusing to write .*in\.csv: it is an input/);
    expect(await readFile(join(dir, 'in.csv'), 'utf8')).toBe(CSV);
    expect(await readdir(dir)).toEqual(['in.csv']);
  });
});
