import { CombatError, InvalidArgumentError } from '@combat/base';
import { ShapeMismatchError } from '@combat/core';
import { describe, expect, it } from 'vitest';
import { covariatesFromTable, decodeArrowTable, decodeModelFile, decodeTableText, describeRow, encodeArrowTable, encodeModelFile, formatDelimited, numericValues, parseDelimited, requireColumn, sealModelFile, selectRows, tableFromColumns, tableMatrix, type Table } from '../src/index.js';
import { encodeTableFile, readModel, readTable, tableFormat, writeModel, writeTable } from '../src/node.js';
import { modelFiles } from './model-file-fixtures.js';

const table = parseDelimited('subject,site,age\ns1,A,61\ns2,B,47\n', { source: 'covars.csv' });
const age = table.columns.get('age')!;
/** A value passed where the types forbid it: careless calls, on purpose. */
const any = (value: unknown): any => value;

/** Calls that pass undefined, null or a value of the wrong type, and the start of the message each gives. */
const CARELESS: [string, () => unknown][] = [
  ['parseDelimited: text: expected a string; received undefined', () => parseDelimited(any(undefined), { source: 'x.csv' })],
  ['parseDelimited: options: expected an options object or undefined; received null', () => parseDelimited('a\n1\n', any(null))],
  ['parseDelimited: options.source: expected a string; received a number (5)', () => parseDelimited('a\n1\n', any({ source: 5 }))],
  ["parseDelimited: options.delimiter: expected ',' or '\\t'; received a string (\";\")", () => parseDelimited('a\n1\n', any({ source: 'x', delimiter: ';' }))],
  ['decodeTableText: bytes: expected a Uint8Array; received a string ("a,b")', () => decodeTableText(any('a,b'), { source: 'x.csv' })],
  ['decodeTableText: options: expected an options object or undefined; received a string ("x.csv")', () => decodeTableText(new Uint8Array(0), any('x.csv'))],
  ['decodeTableText: options.source: expected a string; received a number (1)', () => decodeTableText(new Uint8Array(0), { source: any(1) })],
  ['decodeArrowTable: bytes: expected a Uint8Array; received null', () => decodeArrowTable(any(null), { source: 'x' })],
  ['decodeArrowTable: options.source: expected a string; received null', () => decodeArrowTable(new Uint8Array(0), { source: any(null) })],
  ['decodeArrowTable: options: expected an options object or undefined; received a string ("x.arrow")', () => decodeArrowTable(new Uint8Array(0), any('x.arrow'))],
  ['encodeArrowTable: table: expected a table (from readTable, parseDelimited, decodeArrowTable or tableFromColumns); received an object', () => encodeArrowTable(any({}), new Map())],
  ['decodeArrowTable: bytes: expected a Uint8Array; received an Int32Array of length 4', () => decodeArrowTable(any(new Int32Array(4)), { source: 'x' })],
  ['encodeArrowTable: replaced: expected a Map', () => encodeArrowTable(table, any(undefined))],
  ['encodeArrowTable: replaced.get("age"): expected a Float64Array of 2 values; received a Float64Array of length 3', () => encodeArrowTable(table, new Map([['age', new Float64Array(3)]]))],
  ['formatDelimited: table: expected a table', () => formatDelimited(any(undefined), new Map())],
  ['formatDelimited: replaced: expected a Map', () => formatDelimited(table, any([]))],
  ["formatDelimited: options.delimiter: expected ',' or '\\t'", () => formatDelimited(table, new Map(), any({ delimiter: ';' }))],
  ['formatDelimited: options: expected an options object or undefined; received a string ("\\t")', () => formatDelimited(table, new Map(), any('\t'))],
  ['tableMatrix: table: expected a table', () => tableMatrix(any(null), ['age'])],
  ['tableMatrix: features: expected an array of strings; received undefined', () => tableMatrix(table, any(undefined))],
  ['tableMatrix: features[1]: expected a string; received a number (3)', () => tableMatrix(table, any(['age', 3]))],
  ['tableMatrix: options: expected an options object or undefined; received null', () => tableMatrix(table, ['age'], any(null))],
  ['tableMatrix: options.idColumn: expected a string; received a number (1)', () => tableMatrix(table, ['age'], any({ idColumn: 1 }))],
  ['covariatesFromTable: columns: expected an object; received null', () => covariatesFromTable(table, any(null))],
  ['covariatesFromTable: columns.batch: expected a string; received undefined', () => covariatesFromTable(table, any({}))],
  ['covariatesFromTable: columns.batch: expected a string; received undefined', () => covariatesFromTable(table, any({ batchCol: 'site' }))],
  ['covariatesFromTable: columns.continuous: expected an array of strings; received a string ("age")', () => covariatesFromTable(table, any({ batch: 'site', continuous: 'age' }))],
  ['covariatesFromTable: columns.categorical[0]: expected a string; received a number (1)', () => covariatesFromTable(table, any({ batch: 'site', categorical: [1] }))],
  ['covariatesFromTable: options.idColumn: expected a string; received an array of 1', () => covariatesFromTable(table, { batch: 'site' }, any({ idColumn: ['subject'] }))],
  ['covariatesFromTable: table: expected a table', () => covariatesFromTable(any(undefined), { batch: 'site' })],
  ['requireColumn: table: expected a table', () => requireColumn(any(undefined), 'a')],
  ['requireColumn: name: expected a string; received null', () => requireColumn(table, any(null))],
  ['numericValues: column: expected a column of the table (2 rows); received undefined', () => numericValues(table, any(undefined))],
  ['numericValues: column: expected a column of the table (2 rows)', () => numericValues(table, { ...age, numbers: new Float64Array(5) })],
  ['selectRows: order: expected an array of row indices; received undefined', () => selectRows(table, any(undefined))],
  ['selectRows: order[0]: expected a row index of covars.csv (0 to 1); received a number (99)', () => selectRows(table, [99])],
  ['selectRows: order[1]: expected a row index of covars.csv (0 to 1); received a number (0.5)', () => selectRows(table, [0, 0.5])],
  ['selectRows: order[0]: expected a row index of covars.csv (0 to 1); received a number (-1)', () => selectRows(table, [-1])],
  ['describeRow: row: expected a row index of covars.csv (0 to 1); received a number (2)', () => describeRow(table, 2)],
  ['describeRow: table: expected a table', () => describeRow(any('covars.csv'), 0)],
  ['describeRow: options: expected an options object or undefined; received a string ("subject")', () => describeRow(table, 0, any('subject'))],
  ['tableFromColumns: options.source: expected a string; received a number (3)', () => tableFromColumns({}, { source: any(3) })],
  ['tableFromColumns: options: expected an options object or undefined; received a string ("x")', () => tableFromColumns({}, any('x'))],
  ['tableFromColumns: columns: expected an object; received a string ("inline")', () => tableFromColumns(any('inline'), any({ a: ['1'] }))],
  ['tableFromColumns: columns: expected an object; received null', () => tableFromColumns(any(null), { source: 'x' })],
  ['tableFromColumns: columns["a"]: expected an array of strings; received a string ("1")', () => tableFromColumns(any({ a: '1' }), { source: 'x' })],
  ['tableFromColumns: columns["a"][1]: expected a string; received a number (2)', () => tableFromColumns(any({ a: ['1', 2] }), { source: 'x' })],
  ['tableFormat: path: expected a string; received undefined', () => tableFormat(any(undefined))],
  ['data.xlsx: unknown table extension ".xlsx"; expected .csv, .tsv, .arrow, .feather, .ipc or .arrows', () => tableFormat('data.xlsx')],
  ['out.xlsx: unknown table extension ".xlsx"', () => encodeTableFile('out.xlsx', table, new Map())],
  ['decodeModelFile: bytes: expected a Uint8Array; received an array of 3', () => decodeModelFile(any([65, 82, 82]), { source: 'm.arrow' })],
  ['decodeModelFile: options.source: expected a string; received an array of 0', () => decodeModelFile(new Uint8Array(0), { source: any([]) })],
  ['decodeModelFile: options: expected an options object or undefined; received a string ("m.arrow")', () => decodeModelFile(new Uint8Array(0), any('m.arrow'))],
  ['encodeModelFile: extras: expected an object; received undefined', () => encodeModelFile(modelFiles()[0]!.model, any(undefined))],
  ['encodeModelFile: options.target: expected a string; received a number (1)', () => encodeModelFile(modelFiles()[0]!.model, modelFiles()[0]!.extras, any({ target: 1 }))],
  ['sealModelFile: bytes: expected a Uint8Array; received null', () => sealModelFile(any(null))],
];

describe('careless calls get an InvalidArgumentError naming the function and the argument, not a TypeError', () => {
  it.each(CARELESS)('%s', (message, call) => {
    let thrown: unknown;
    try {
      call();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidArgumentError);
    expect(thrown).toBeInstanceOf(CombatError);
    expect((thrown as InvalidArgumentError).code).toBe('INVALID_ARGUMENT');
    expect((thrown as Error).message.startsWith(message), (thrown as Error).message).toBe(true);
  });

  it('readTable, readModel, writeTable and writeModel, asynchronously', async () => {
    await expect(readTable(any(undefined))).rejects.toThrow(new InvalidArgumentError('readTable: path: expected a string; received undefined'));
    await expect(readModel(any(undefined))).rejects.toThrow(new InvalidArgumentError('readModel: path: expected a string; received undefined'));
    await expect(readTable('scans.xlsx')).rejects.toThrow(new InvalidArgumentError('scans.xlsx: unknown table extension ".xlsx"; expected .csv, .tsv, .arrow, .feather, .ipc or .arrows'));
    await expect(writeTable('out.xlsx', table, new Map())).rejects.toThrow(new InvalidArgumentError('out.xlsx: unknown table extension ".xlsx"; expected .csv, .tsv, .arrow, .feather, .ipc or .arrows'));
    await expect(writeTable('out.csv', table, new Map(), any({ protect: 'in.csv' }))).rejects.toThrow(new InvalidArgumentError('options.protect: expected an array of paths; received a string ("in.csv")'));
    await expect(writeModel('m.arrow', modelFiles()[0]!.model, any(null))).rejects.toThrow(new InvalidArgumentError('encodeModelFile: extras: expected an object; received null'));
  });

  it('columns of unequal lengths are a ShapeMismatchError', () => {
    expect(() => tableFromColumns({ a: ['1', '2'], b: ['1', '2', '3'] }, { source: 'inline' })).toThrow(new ShapeMismatchError('inline: column "b" has 3 cells; column "a" has 2'));
  });

  it('a table whose names and columns disagree is not taken for a table', () => {
    const broken: Table = { ...table, names: [...table.names, 'ghost'] };
    expect(() => tableMatrix(broken, ['age'])).toThrow(InvalidArgumentError);
  });

  it('careful calls still work', () => {
    expect(selectRows(table, [1, 0]).columns.get('subject')!.cells).toEqual(['s2', 's1']);
    expect(Array.from(numericValues(table, age))).toEqual([61, 47]);
    expect(selectRows(table, []).rows).toBe(0);
  });
});
