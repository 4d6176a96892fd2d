import { CombatError, ShapeMismatchError, InvalidArgumentError } from '@combat/core';
import { describe, expect, it } from 'vitest';
import { columnFromText, covariatesFromTable, decodeArrowTable, decodeTableText, describeRow, encodeArrowTable, formatDelimited, isMissing, numericValues, parseDelimited, requireColumn, selectRows, tableFromColumns, tableMatrix, type Table } from '../src/index.js';
import { readTable, tableFormat } from '../src/node.js';

const table = parseDelimited('subject,site,age\ns1,A,61\ns2,B,47\n', { source: 'covars.csv' });
const age = table.columns.get('age')!;
/** A value passed where the types forbid it: careless calls, on purpose. */
const any = (value: unknown): any => value;

/** Calls that pass undefined, null or a value of the wrong type, and the start of the message each gives. */
const CARELESS: [string, () => unknown][] = [
  ['parseDelimited: text must be a string; received undefined', () => parseDelimited(any(undefined), { source: 'x.csv' })],
  ['parseDelimited: options must be an object; received undefined', () => parseDelimited('a\n1\n', any(undefined))],
  ['parseDelimited: options.source must be a string; received a number (5)', () => parseDelimited('a\n1\n', any({ source: 5 }))],
  ["parseDelimited: options.delimiter must be ',' or '\\t'; received a string (\";\")", () => parseDelimited('a\n1\n', any({ source: 'x', delimiter: ';' }))],
  ['decodeTableText: bytes must be a Uint8Array; received a string ("a,b")', () => decodeTableText(any('a,b'), 'x.csv')],
  ['decodeTableText: source must be a string; received undefined', () => decodeTableText(new Uint8Array(0), any(undefined))],
  ['decodeArrowTable: bytes must be a Uint8Array; received null', () => decodeArrowTable(any(null), 'x')],
  ['decodeArrowTable: source must be a string; received null', () => decodeArrowTable(new Uint8Array(0), any(null))],
  ['encodeArrowTable: table must be a table (from readTable, parseDelimited, decodeArrowTable or tableFromColumns); received an object', () => encodeArrowTable(any({}), new Map())],
  ['decodeArrowTable: bytes must be a Uint8Array; received an Int32Array', () => decodeArrowTable(any(new Int32Array(4)), 'x')],
  ['encodeArrowTable: replaced must be a Map', () => encodeArrowTable(table, any(undefined))],
  ['encodeArrowTable: replaced.get("age") must be a Float64Array of 2 values; received a Float64Array', () => encodeArrowTable(table, new Map([['age', new Float64Array(3)]]))],
  ['formatDelimited: table must be a table', () => formatDelimited(any(undefined), new Map())],
  ['formatDelimited: replaced must be a Map', () => formatDelimited(table, any([]))],
  ["formatDelimited: delimiter must be ',' or '\\t'", () => formatDelimited(table, new Map(), any(';'))],
  ['tableMatrix: table must be a table', () => tableMatrix(any(null), ['age'])],
  ['tableMatrix: features must be an array of strings; received undefined', () => tableMatrix(table, any(undefined))],
  ['tableMatrix: features[1] must be a string; received a number (3)', () => tableMatrix(table, any(['age', 3]))],
  ['tableMatrix: options must be an object; received null', () => tableMatrix(table, ['age'], any(null))],
  ['tableMatrix: options.idColumn must be a string; received a number (1)', () => tableMatrix(table, ['age'], any({ idColumn: 1 }))],
  ['covariatesFromTable: roles must be an object; received null', () => covariatesFromTable(table, any(null))],
  ['covariatesFromTable: roles.batchCol must be a string; received undefined', () => covariatesFromTable(table, any({}))],
  ['covariatesFromTable: roles.continuousCols must be an array of strings; received a string ("age")', () => covariatesFromTable(table, any({ batchCol: 'site', continuousCols: 'age' }))],
  ['covariatesFromTable: table must be a table', () => covariatesFromTable(any(undefined), { batchCol: 'site' })],
  ['requireColumn: table must be a table', () => requireColumn(any(undefined), 'a')],
  ['requireColumn: name must be a string; received null', () => requireColumn(table, any(null))],
  ['numericValues: column must be a column of the table (2 rows); received undefined', () => numericValues(table, any(undefined))],
  ['numericValues: column must be a column of the table (2 rows)', () => numericValues(table, { ...age, numbers: new Float64Array(5) })],
  ['selectRows: order must be an array of row indices; received undefined', () => selectRows(table, any(undefined))],
  ['selectRows: order[0] must be a row index of covars.csv (0 to 1); received a number (99)', () => selectRows(table, [99])],
  ['selectRows: order[1] must be a row index of covars.csv (0 to 1); received a number (0.5)', () => selectRows(table, [0, 0.5])],
  ['selectRows: order[0] must be a row index of covars.csv (0 to 1); received a number (-1)', () => selectRows(table, [-1])],
  ['describeRow: row must be a row index of covars.csv (0 to 1); received a number (2)', () => describeRow(table, 2)],
  ['describeRow: table must be a table', () => describeRow(any('covars.csv'), 0)],
  ['tableFromColumns: source must be a string; received undefined', () => tableFromColumns(any(undefined), {})],
  ['tableFromColumns: columns must be an object; received null', () => tableFromColumns('x', any(null))],
  ['tableFromColumns: columns["a"] must be an array of strings; received a string ("1")', () => tableFromColumns('x', any({ a: '1' }))],
  ['tableFromColumns: columns["a"][1] must be a string; received a number (2)', () => tableFromColumns('x', any({ a: ['1', 2] }))],
  ['columnFromText: raw must be an array of strings; received undefined', () => columnFromText('a', any(undefined))],
  ['columnFromText: name must be a string; received undefined', () => columnFromText(any(undefined), [])],
  ['isMissing: text must be a string; received undefined', () => isMissing(any(undefined))],
  ['tableFormat: path must be a string; received undefined', () => tableFormat(any(undefined))],
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

  it('readTable, asynchronously', async () => {
    await expect(readTable(any(undefined))).rejects.toThrow(new InvalidArgumentError('readTable: path must be a string; received undefined'));
  });

  it('columns of unequal lengths are a ShapeMismatchError', () => {
    expect(() => tableFromColumns('inline', { a: ['1', '2'], b: ['1', '2', '3'] })).toThrow(new ShapeMismatchError('inline: column "b" has 3 cells; column "a" has 2'));
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
