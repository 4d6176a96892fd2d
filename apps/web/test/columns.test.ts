import { tableFromColumns, tableMatrix } from '@combat/io-arrow';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { columnFacts, offeredFeatures } from '../src/columns.js';

/** Whether every cell of the column reads as a number: tableMatrix takes it. */
function readsAsNumbers(table: ReturnType<typeof tableFromColumns>, name: string): boolean {
  try {
    tableMatrix(table, [name]);
    return true;
  } catch {
    return false;
  }
}

const CELLS = ['1', '2', '3', '2.5', '-1e3', '', 'NA', 'x', 'siteA', '0x10', '7'];

describe('the features offered', () => {
  it('are the columns tableMatrix reads, less the roles and those that look like identifiers (random tables)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }).chain((rows) => fc.array(fc.array(fc.constantFrom(...CELLS), { minLength: rows, maxLength: rows }), { minLength: 1, maxLength: 6 })),
        fc.integer({ min: 0, max: 5 }),
        (cells, reservedAt) => {
          const table = tableFromColumns(Object.fromEntries(cells.map((column, at) => [`c${at}`, column])), { source: 'random.csv' });
          const reserved = new Set(table.names.slice(reservedAt, reservedAt + 1));
          const { offered } = offeredFeatures(columnFacts(table), reserved);
          for (const name of table.names) {
            const numbers = table.columns.get(name)?.numbers ?? null;
            const identifier = numbers !== null && table.rows > 2 && numbers.every((x) => Number.isInteger(x)) && new Set(numbers).size === table.rows;
            expect(offered.includes(name), name).toBe(!reserved.has(name) && readsAsNumbers(table, name) && !identifier);
          }
        },
      ),
    );
  });

  it('leave out an identifier and a column with a text cell, and say why', () => {
    const table = tableFromColumns({ subject: ['101', '102', '103', '104'], site: ['A', 'A', 'B', 'B'], thickness: ['2.5', '2.7', 'n/a?', '2.4'], volume: ['10', '12', '11', '10'] }, { source: 'data.csv' });
    const { offered, notes } = offeredFeatures(columnFacts(table), new Set(['site']));
    expect(offered).toEqual(['volume']);
    expect(notes).toEqual([
      'Left out: subject, where every value is a distinct whole number, as in an identifier (choose it as the id column).',
      'Not offered: "thickness" is numeric except at row 3, "n/a?"; fix that cell to use it.',
    ]);
  });
});
