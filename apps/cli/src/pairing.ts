import { TableFormatError, requireColumn, selectRows, type Table } from '@combat/io-arrow';
import { readTable } from '@combat/io-arrow/node';

/**
 * Reads the data table and, when given, the covariates table, and returns the table to take
 * covariates from aligned row by row with the data: by `--id` when given (each data row's id must
 * appear once in the covariates), otherwise by order (the row counts must match).
 *
 * @example
 * ```ts
 * const { data, covars } = await readPaired('volumes.csv', 'covars.csv', 'subject');
 * ```
 */
export async function readPaired(dataPath: string, covarsPath: string | undefined, idCol: string | undefined): Promise<{ data: Table; covars: Table }> {
  const data = await readTable(dataPath);
  if (covarsPath === undefined) return { data, covars: data };
  const covars = await readTable(covarsPath);
  if (idCol === undefined) {
    if (covars.rows !== data.rows) {
      throw new TableFormatError(`${covarsPath} has ${covars.rows} rows and ${dataPath} has ${data.rows}; they pair by order unless --id names a column to match`);
    }
    return { data, covars };
  }
  const ids = requireColumn(covars, idCol, 'id column').cells;
  const rowOf = new Map<string, number>();
  ids.forEach((id, row) => {
    if (id === null) return;
    if (rowOf.has(id)) throw new TableFormatError(`${covarsPath}: id ${JSON.stringify(id)} appears in rows ${(rowOf.get(id) as number) + 1} and ${row + 1}`);
    rowOf.set(id, row);
  });
  const order = requireColumn(data, idCol, 'id column').cells.map((id, row) => {
    const match = id === null ? undefined : rowOf.get(id);
    if (match === undefined) throw new TableFormatError(`${dataPath}: row ${row + 1}, column "${idCol}": id ${JSON.stringify(id)} has no row in ${covarsPath}`);
    return match;
  });
  return { data, covars: selectRows(covars, order) };
}
