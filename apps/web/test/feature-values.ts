import type { Table } from '@combat/io-arrow';

/** The values of a table's feature columns, samples by features (row-major), as the parity checks compare them; a missing cell is NaN. */
export function featureValues(table: Table, features: readonly string[]): Float64Array {
  return Float64Array.from({ length: table.rows * features.length }, (_, k) => table.columns.get(features[k % features.length] as string)?.numbers?.[Math.floor(k / features.length)] ?? Number.NaN);
}
