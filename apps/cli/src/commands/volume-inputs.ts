import { basename, dirname, join, resolve } from 'node:path';
import { TableFormatError, requireColumn, type Table } from '@combat/io-arrow';
import { readTable } from '@combat/io-arrow/node';
import type { CovariateTable } from '@combat/volumes';
import type { OutputPlan } from '../outputs.js';

/**
 * The inputs of a volume command: the covariates table, each row's image path (the `--image-col`
 * cell, relative to the covariates file), each output path (the input's file name inside
 * `--out-dir`), and the covariates as a column table.
 *
 * @example
 * ```ts
 * const { images, outputs, covars } = await readVolumeInputs('study/covars.csv', 'path', 'harmonized');
 * ```
 */
export interface VolumeInputs {
  readonly table: Table;
  readonly images: readonly string[];
  readonly outputs: readonly string[];
  readonly covars: CovariateTable;
}

/**
 * Reads the covariates table of a volume command and works out its images and outputs.
 *
 * @example
 * ```ts
 * const inputs = await readVolumeInputs('study/covars.csv', 'path', 'harmonized');
 * ```
 */
export async function readVolumeInputs(covarsPath: string, imageCol: string, outDir: string): Promise<VolumeInputs> {
  const table = await readTable(covarsPath);
  const folder = dirname(resolve(covarsPath));
  const images = requireColumn(table, imageCol, 'image column').cells.map((cell, row) => {
    if (cell === null) throw new TableFormatError(`${covarsPath}: row ${row + 1}, column "${imageCol}": missing; every row needs an image path`);
    return resolve(folder, cell);
  });
  const outputs = images.map((image) => join(outDir, basename(image)));
  const covars = Object.fromEntries(table.names.map((name) => [name, (table.columns.get(name)?.cells ?? []).map((cell) => cell ?? '')]));
  return { table, images, outputs, covars };
}

/**
 * Adds a volume command's outputs to a plan: the output directory and one file per image (named
 * in messages by its row and input file).
 *
 * @example
 * ```ts
 * planVolumeOutputs(plan, inputs, '--out-dir', 'harmonized');
 * ```
 */
export function planVolumeOutputs(plan: OutputPlan, inputs: VolumeInputs, outDir: string): void {
  plan.directory(outDir, '--out-dir');
  inputs.outputs.forEach((output, row) => plan.file(output, `the output of row ${row + 1} (${basename(inputs.images[row] as string)})`));
}
