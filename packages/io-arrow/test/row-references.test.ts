import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { temporaryFolder } from '@combat/test-support';
import { Float64, Table as ArrowTable, Utf8, tableToIPC, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { TableFormatError, covariatesFromTable, decodeArrowTable, describeRow, numericValues, parseDelimited, requireColumn, tableMatrix } from '../src/index.js';
import { readTable } from '../src/node.js';

/** A data table whose 5th row (subject sub-004) has `cell` in column lh_x. */
function dataWith(cell: string): string {
  const rows = ['sub-000,A,1.5,61', 'sub-001,A,2.5,50', 'sub-002,B,,40', 'sub-003,B,NA,30', `sub-004,B,${cell},20`];
  return `subject,site,lh_x,age\n${rows.join('\n')}\n`;
}

describe('a cell that is not a finite number names the file, the row, the column and the text', () => {
  const CASES: [written: string, cell: string][] = [
    ['1e400', '1e400'],
    ['-inf', '-inf'],
    ['Infinity', 'Infinity'],
    ['-Infinity', '-Infinity'],
    ['0x10', '0x10'],
    ['1_000', '1_000'],
    ['1.5.2', '1.5.2'],
    ['"1,5"', '1,5'],
  ];

  it.each(CASES)('%s', async (written, cell) => {
    const dir = await temporaryFolder('numbers');
    const path = join(dir, 'data.csv');
    await writeFile(path, dataWith(written));
    const table = await readTable(path);
    expect(table.columns.get('lh_x')!.numbers).toBeNull();
    const hint = cell === '1,5' ? '; write decimals with a point (1.5), not a comma' : '';
    expect(() => tableMatrix(table, ['lh_x'])).toThrow(new TableFormatError(`${path}: row 5, column "lh_x": ${JSON.stringify(cell)} is not a number${hint}`));
    expect(() => tableMatrix(table, ['age', 'lh_x'], { idColumn: 'subject' })).toThrow(
      new TableFormatError(`${path}: row 5 (subject "sub-004"), column "lh_x": ${JSON.stringify(cell)} is not a number${hint}`),
    );
    expect(() => covariatesFromTable(table, { batch: 'site', continuous: ['lh_x'] }, { idColumn: 'subject' })).toThrow(
      new TableFormatError(`${path}: row 5 (subject "sub-004"), column "lh_x": ${JSON.stringify(cell)} is not a number${hint}`),
    );
  });

  it('plain decimals, with signs, exponents and blanks around them, are numbers; NA and empty cells are missing', () => {
    const table = parseDelimited('x\n 1.5 \n-2\n+3e2\n.5\n5.\nNA\n\n', { source: 'x.csv' });
    expect(Array.from(table.columns.get('x')!.numbers!)).toEqual([1.5, -2, 300, 0.5, 5, NaN]);
  });
});

describe('describeRow: one way to name a row everywhere', () => {
  const table = parseDelimited('subject,site,age\nsub-000,A,61\n,B,47\nsub-002,,52\n', { source: 'covars.csv' });

  it('is 1-based from the first row after the header, with the id when asked', () => {
    expect(describeRow(table, 0)).toBe('row 1');
    expect(describeRow(table, 2, { idColumn: 'subject' })).toBe('row 3 (subject "sub-002")');
    expect(describeRow(table, 1, { idColumn: 'subject' })).toBe('row 2 (subject missing)');
  });

  it('names the subject of a missing batch or covariate', () => {
    expect(() => covariatesFromTable(table, { batch: 'site' }, { idColumn: 'subject' })).toThrow(
      new TableFormatError('covars.csv: row 3 (subject "sub-002"), column "site": missing; every row needs a value'),
    );
    expect(() => covariatesFromTable(table, { batch: 'site' })).toThrow(new TableFormatError('covars.csv: row 3, column "site": missing; every row needs a value'));
  });

  it('an id column that does not exist is an error, not a silent omission', () => {
    expect(() => tableMatrix(table, ['age'], { idColumn: 'participant' })).toThrow(
      new TableFormatError('covars.csv: id column "participant" not found; columns are subject, site, age'),
    );
    expect(() => describeRow(table, 0, { idColumn: 'participant' })).toThrow(TableFormatError);
  });

  it('numericValues names the subject too', () => {
    const bad = parseDelimited('subject,age\ns1,61\ns2,old\n', { source: 'c.csv' });
    expect(() => numericValues(bad, requireColumn(bad, 'age'), { idColumn: 'subject' })).toThrow(new TableFormatError('c.csv: row 2 (subject "s2"), column "age": "old" is not a number'));
  });

  it('rows of an Arrow table are counted the same way', () => {
    const arrow = new ArrowTable({ subject: vectorFromArray(['a', 'b', 'c'], new Utf8()), x: vectorFromArray([1, -Infinity, 3], new Float64()) });
    const table = decodeArrowTable(tableToIPC(arrow, 'file'), { source: 'x.arrow' });
    expect(() => tableMatrix(table, ['x'], { idColumn: 'subject' })).toThrow(new TableFormatError('x.arrow: row 2 (subject "b"), column "x": "-Infinity" is not a number'));
  });
});
