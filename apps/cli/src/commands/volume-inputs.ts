import { basename, dirname, join, resolve } from 'node:path';
import type { Covariates } from '@combat/core';
import { TableFormatError, covariatesFromTable, describeRow, requireColumn, type CovariateColumns, type Table } from '@combat/io-arrow';
import { readTable } from '@combat/io-arrow/node';
import type { RowContext } from '../explain.js';
import type { OutputPlan } from '../outputs.js';

/**
 * The inputs of a volume command: the covariates table, each row's image path (the
 * `--image-column` cell, relative to the covariates file), each output path (the input's file
 * name inside `--out-dir`), the batch and covariates of each row (read with the table reader's
 * rules: numbers in decimal notation, missing cells named by row), and what the rows are for
 * messages.
 */
export interface VolumeInputs {
  readonly table: Table;
  readonly images: readonly string[];
  readonly outputs: readonly string[];
  readonly covariates: Covariates;
  readonly rows: RowContext;
}

/**
 * Reads the covariates table of a volume command and works out its images and outputs; rows are
 * named in messages by their image cell.
 */
export async function readVolumeInputs(covariatesPath: string, imageColumn: string, outDir: string, columns: CovariateColumns): Promise<VolumeInputs> {
  const inputs = await readVolumeRows(covariatesPath, imageColumn, columns);
  return { ...inputs, outputs: inputs.images.map((image) => join(outDir, basename(image))) };
}

/**
 * Reads the covariates table of a volume command that writes no volume (`fit-partial`): each
 * row's image, batch and covariates, as {@link readVolumeInputs} reads them.
 */
export async function readVolumeRows(covariatesPath: string, imageColumn: string, columns: CovariateColumns): Promise<Omit<VolumeInputs, 'outputs'>> {
  const table = await readTable(covariatesPath);
  const folder = dirname(resolve(covariatesPath));
  const images = requireColumn(table, imageColumn, 'image column').cells.map((cell, row) => {
    if (cell === null) throw new TableFormatError(`${covariatesPath}: ${describeRow(table, row)}, column "${imageColumn}": missing; every row needs an image path`);
    return resolve(folder, cell);
  });
  const covariates = covariatesFromTable(table, columns, { idColumn: imageColumn });
  const rows: RowContext = { table, idColumn: imageColumn, volumes: images };
  return { table, images, covariates, rows };
}

/**
 * Adds a volume command's outputs to a plan: the output directory and one file per image (named
 * in messages by its row and input file).
 */
export function planVolumeOutputs(plan: OutputPlan, inputs: VolumeInputs, outDir: string): void {
  plan.directory(outDir, '--out-dir');
  inputs.outputs.forEach((output, row) => plan.file(output, `the output of row ${row + 1}, ${basename(inputs.images[row] as string)}`));
}
