import { basename, dirname, join, resolve } from 'node:path';
import { TableFormatError, requireColumn, type Table } from '@combat/io-arrow';
import { readTable } from '@combat/io-arrow/node';
import type { CovariateTable } from '@combat/volumes';

/**
 * The inputs of a volume command: the covariates table, each row's image path (the `--image-col`
 * cell, relative to the covariates file), each output path (the input's file name inside
 * `--out-dir`), and the covariates as a column table.
 *
 * @example
 * ```ts
 * const { images, outputs, covars } = await volumeInputs('study/covars.csv', 'path', 'harmonized');
 * ```
 */
export async function volumeInputs(covarsPath: string, imageCol: string, outDir: string): Promise<{ table: Table; images: string[]; outputs: string[]; covars: CovariateTable }> {
  const table = await readTable(covarsPath);
  const folder = dirname(resolve(covarsPath));
  const images = requireColumn(table, imageCol, 'image column').cells.map((cell, row) => {
    if (cell === null) throw new TableFormatError(`${covarsPath}: row ${row + 1}, column "${imageCol}": missing; every row needs an image path`);
    return resolve(folder, cell);
  });
  const outputs = images.map((image) => join(outDir, basename(image)));
  const clash = outputs.findIndex((output, k) => outputs.indexOf(output) !== k);
  if (clash >= 0) {
    throw new TableFormatError(`${covarsPath}: rows ${outputs.indexOf(outputs[clash] as string) + 1} and ${clash + 1} have images of the same file name (${basename(images[clash] as string)}); outputs take the input's file name`);
  }
  const covars = Object.fromEntries(table.names.map((name) => [name, (table.columns.get(name)?.cells ?? []).map((cell) => cell ?? '')]));
  return { table, images, outputs, covars };
}
