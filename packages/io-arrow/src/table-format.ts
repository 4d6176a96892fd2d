import { extname } from 'node:path';
import { InvalidArgumentError } from '@combat/base';
import { checkString } from '@combat/base/internal';

/** The table formats by extension (compared in lower case). */
const FORMATS: Readonly<Record<string, 'csv' | 'tsv' | 'arrow'>> = { '.csv': 'csv', '.tsv': 'tsv', '.arrow': 'arrow', '.feather': 'arrow', '.ipc': 'arrow', '.arrows': 'arrow' };

/**
 * The table format of a path, by its extension: `.csv`; `.tsv`; `.arrow`, `.feather`, `.ipc` or
 * `.arrows` (Arrow IPC). For checking an output path before the work that writes it.
 *
 * @throws {@link InvalidArgumentError} when the extension is none of those, or `path` is not a string.
 * @example
 * ```ts
 * tableFormat('regions.feather'); // 'arrow'
 * tableFormat('data.TSV'); // 'tsv'
 * tableFormat('data.xlsx');
 * // throws InvalidArgumentError: data.xlsx: unknown table extension ".xlsx";
 * // expected .csv, .tsv, .arrow, .feather, .ipc or .arrows
 * ```
 */
export function tableFormat(path: string): 'csv' | 'tsv' | 'arrow' {
  checkString(path, 'tableFormat: path');
  const extension = extname(path);
  const format = FORMATS[extension.toLowerCase()];
  if (format === undefined) {
    const listed = Object.keys(FORMATS);
    throw new InvalidArgumentError(`${path}: unknown table extension "${extension}"; expected ${listed.slice(0, -1).join(', ')} or ${listed.at(-1)}`);
  }
  return format;
}

