export { decodeArrowTable, encodeArrowTable, type ArrowColumn } from './arrow-table.js';
export { registerCompressionCodecs } from './codecs.js';
export { decodeTableText, formatDelimited, parseDelimited } from './delimited.js';
export { TableFormatError } from './errors.js';
export { covariatesFromTable, tableMatrix, type ColumnRoles } from './matrix.js';
export { sealModelFile } from './model-checksum.js';
export { decodeModelFile, encodeModelFile, type ModelFileExtras } from './model-file.js';
export { columnFromText, describeRow, isMissing, numericValues, requireColumn, selectRows, tableFromColumns, type Column, type Table } from './table.js';
