import { encodeArrowTable, formatDelimited, tableFromColumns } from '@combat/io-arrow';
import { describe, expect, it } from 'vitest';
import { decodeTable, FileError, harmonizedName, tableFormat } from '../src/table-file.js';

describe('table files by name', () => {
  it('take their format from the extension, as the CLI does', () => {
    expect(['a.csv', 'b.TSV', 'c.arrow', 'd.feather', 'e.ipc', 'f.arrows'].map(tableFormat)).toEqual(['csv', 'tsv', 'arrow', 'arrow', 'arrow', 'arrow']);
    expect(() => tableFormat('data.xlsx')).toThrow(new FileError('data.xlsx: expected a table file ending in .csv, .tsv, .arrow, .feather, .ipc or .arrows'));
  });

  it('are named for the input, in its format', () => {
    expect(['thickness.csv', 'x.tsv', 'roi.feather', 'roi.arrows'].map(harmonizedName)).toEqual(['thickness-harmonized.csv', 'x-harmonized.tsv', 'roi-harmonized.feather', 'roi-harmonized.arrow']);
  });

  it('decode CSV, TSV and Arrow bytes to the same table', () => {
    const table = tableFromColumns({ subject: ['s1', 's2'], site: ['A', 'B'], f1: ['1.5', '2'] }, { source: 'inline' });
    const text = new TextEncoder();
    for (const [name, bytes] of [
      ['t.csv', text.encode(formatDelimited(table, new Map()))],
      ['t.tsv', text.encode(formatDelimited(table, new Map(), { delimiter: '\t' }))],
      ['t.arrow', encodeArrowTable(table, new Map())],
    ] as const) {
      const decoded = decodeTable(bytes, name);
      expect(decoded.source).toBe(name);
      expect(decoded.names).toEqual(table.names);
      for (const column of table.names) expect(decoded.columns.get(column)?.cells, `${name} ${column}`).toEqual(table.columns.get(column)?.cells);
    }
  });
});
