import { basename, dirname, join, resolve } from 'node:path';
import { TableFormatError, covariatesFromTable, requireColumn, type ColumnRoles, type Table } from '@combat/io-arrow';
import { readTable } from '@combat/io-arrow/node';
import type { CovariateTable } from '@combat/volumes';
import type { RowContext } from '../explain.js';
import type { OutputPlan } from '../outputs.js';

/**
 * The inputs of a volume command: the covariates table, each row's image path (the `--image-col`
 * cell, relative to the covariates file), each output path (the input's file name inside
 * `--out-dir`), the batch and covariate columns as the volumes package takes them (read with the
 * table reader's rules: numbers in decimal notation, missing cells named by row), and what the
 * rows are for messages.
 *
 * @example
 * ```ts
 * const { images, outputs, covars } = await readVolumeInputs('study/covars.csv', 'path', 'harmonized', { batchCol: 'site' });
 * ```
 */
export interface VolumeInputs {
  readonly table: Table;
  readonly images: readonly string[];
  readonly outputs: readonly string[];
  readonly covars: CovariateTable;
  readonly rows: RowContext;
}

/**
 * Reads the covariates table of a volume command and works out its images and outputs.
 *
 * @example
 * ```ts
 * const inputs = await readVolumeInputs('study/covars.csv', 'path', 'harmonized', { batchCol: 'site', continuousCols: ['age'] });
 * ```
 */
export async function readVolumeInputs(covarsPath: string, imageCol: string, outDir: string, roles: ColumnRoles): Promise<VolumeInputs> {
  const table = await readTable(covarsPath);
  const folder = dirname(resolve(covarsPath));
  const images = requireColumn(table, imageCol, 'image column').cells.map((cell, row) => {
    if (cell === null) throw new TableFormatError(`${covarsPath}: row ${row + 1}, column "${imageCol}": missing; every row needs an image path`);
    return resolve(folder, cell);
  });
  const outputs = images.map((image) => join(outDir, basename(image)));
  const { batch, categorical, continuous } = covariatesFromTable(table, roles, { idColumn: imageCol });
  const covars: CovariateTable = { ...categorical, ...continuous, [roles.batchCol]: batch };
  const rows: RowContext = { source: covarsPath, idColumn: imageCol, ids: images.map((image) => basename(image)) };
  return { table, images, outputs, covars, rows };
}

/**
 * Adds a volume command's outputs to a plan: the output directory and one file per image (named
 * in messages by its row and input file).
 *
 * @example
 * ```ts
 * planVolumeOutputs(plan, inputs, 'harmonized');
 * ```
 */
export function planVolumeOutputs(plan: OutputPlan, inputs: VolumeInputs, outDir: string): void {
  plan.directory(outDir, '--out-dir');
  inputs.outputs.forEach((output, row) => plan.file(output, `the output of row ${row + 1}, ${basename(inputs.images[row] as string)}`));
}
