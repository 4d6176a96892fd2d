/**
 * Tables (CSV, TSV, Arrow IPC and Feather v2), ComBat model files and statistics files, as bytes,
 * in any JavaScript runtime; the same by path, for Node, under `@combat/io-arrow/node`.
 */
export { decodeArrowTable, encodeArrowTable, type ArrowColumn } from './arrow-table.js';
export { decodeTableText, formatDelimited, parseDelimited } from './delimited.js';
export { StatisticsFormatError, TableFormatError } from './errors.js';
export { covariatesFromTable, tableMatrix, type CovariateColumns } from './matrix.js';
export { sealModelFile } from './model-checksum.js';
export { decodeModelFile, encodeModelFile, type DecodedModelFile, type ModelFileExtras } from './model-file.js';
export { pairRows, sameCell, uniqueIds } from './pair-rows.js';
export { decodeStatisticsFile, encodeStatisticsFile } from './statistics-file.js';
export { describeRow, numericValues, requireColumn, selectRows, tableFromColumns, type Column, type Table } from './table.js';
export { TableEncoder } from './table-encoder.js';
