import { decodeArrowTable, decodeTableText, parseDelimited, type Table } from '@combat/io-arrow';

/** The formats a table is read and written in: CSV, TSV, or an Arrow IPC file (Feather v2). */
export type TableFormat = 'csv' | 'tsv' | 'arrow';

/** The extensions of each format, as `tableFormat` of `@combat/io-arrow/node` reads them. */
const EXTENSIONS: Readonly<Record<string, TableFormat>> = { csv: 'csv', tsv: 'tsv', arrow: 'arrow', feather: 'arrow', ipc: 'arrow', arrows: 'arrow' };

/** A problem with a file the page was given, in the words the CLI uses. */
export class FileError extends Error {
  override readonly name = 'FileError';
}

/** The format of a file's name, by its extension (never by guessing from its bytes). */
export function tableFormat(name: string): TableFormat {
  const extension = /\.([^./]+)$/.exec(name)?.[1]?.toLowerCase() ?? '';
  const format = EXTENSIONS[extension];
  if (format === undefined) throw new FileError(`${name}: expected a table file ending in .csv, .tsv, .arrow, .feather, .ipc or .arrows`);
  return format;
}

/** A table file's bytes as a table, by the rules and with the messages of io-arrow's readers; `name` names it in messages. */
export function decodeTable(bytes: Uint8Array, name: string): Table {
  const format = tableFormat(name);
  if (format === 'arrow') return decodeArrowTable(bytes, { source: name });
  return parseDelimited(decodeTableText(bytes, { source: name }), { source: name, delimiter: format === 'tsv' ? '\t' : ',' });
}

/** The name of the harmonized table for an input's name: `thickness.csv` gives `thickness-harmonized.csv` (Arrow streams are written as Arrow files). */
export function harmonizedName(name: string): string {
  const format = tableFormat(name);
  const stem = name.replace(/\.[^./]+$/, '');
  const extension = format === 'arrow' ? (/\.arrows$/i.test(name) ? 'arrow' : (/\.([^./]+)$/.exec(name)?.[1] ?? 'arrow')) : format;
  return `${stem}-harmonized.${extension}`;
}
