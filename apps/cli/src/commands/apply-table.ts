import { applyCombat } from '@combat/core';
import { TableFormatError, covariatesFromTable, tableMatrix } from '@combat/io-arrow';
import { readModel, writeTable } from '@combat/io-arrow/node';
import type { CliIo } from '../cli-io.js';
import { readPaired } from '../pairing.js';
import { featureMap } from './harmonize-table.js';

/**
 * The flags of `combat apply`.
 *
 * @example
 * ```ts
 * const flags: ApplyTableFlags = { model: 'model.arrow', data: 'new.csv', out: 'new-harmonized.csv' };
 * ```
 */
export interface ApplyTableFlags {
  readonly model: string;
  readonly data: string;
  readonly covars?: string;
  readonly id?: string;
  readonly out: string;
}

/**
 * `combat apply`: adjusts new samples of the training batches with a saved model, each with its
 * own covariates, taking the feature and covariate columns the model was fitted with.
 *
 * @example
 * ```ts
 * await applyTable({ model: 'model.arrow', data: 'new.csv', out: 'new-harmonized.csv' }, io);
 * ```
 */
export async function applyTable(flags: ApplyTableFlags, io: CliIo): Promise<void> {
  const { model, featureNames, columns, volume } = await readModel(flags.model);
  if (volume !== undefined) throw new TableFormatError(`${flags.model} is a volume model; use combat apply-volumes`);
  if (columns === undefined) throw new TableFormatError(`${flags.model} does not say which columns hold the batch and covariates`);
  const { data, covars } = await readPaired(flags.data, flags.covars, flags.id);
  const adjusted = applyCombat(model, tableMatrix(data, featureNames), covariatesFromTable(covars, columns));
  await writeTable(flags.out, data, featureMap(featureNames, adjusted), { protect: [flags.model, flags.data, ...(flags.covars === undefined ? [] : [flags.covars])] });
  io.stdout.write(`applied ${flags.model} to ${data.rows} samples; wrote ${flags.out}\n`);
}
