import { ModelFormatError, applyCombat } from '@combat/core';
import { tableMatrix } from '@combat/io-arrow';
import { encodeTableFile, tableFormat, readModel } from '@combat/io-arrow/node';
import { UsageError, type CliIo } from '../cli-io.js';
import { inRows } from '../explain.js';
import type { OutputFlags } from '../options.js';
import { OutputPlan, withOutputs } from '../outputs.js';
import { pairedCovariates, readPaired } from '../pairing.js';
import { describeFeatures, printSummary } from '../summary.js';
import { countMissing, featureMap } from './harmonize-table.js';

/**
 * The flags of `combat apply`.
 *
 * @example
 * ```ts
 * const flags: ApplyTableFlags = { model: 'model.arrow', data: 'new.csv', out: 'new-harmonized.csv' };
 * ```
 */
export interface ApplyTableFlags extends OutputFlags {
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
  tableFormat(flags.out);
  const { model, featureNames, columns, volume } = await readModel(flags.model);
  if (volume !== undefined) throw new UsageError(`${flags.model} is a volume model; use combat apply-volumes`);
  if (columns === undefined) throw new ModelFormatError(`${flags.model}: the model does not say which columns hold the batch and covariates`);
  const paired = await readPaired(flags.data, flags.covars, flags.id);
  const { data } = paired;
  const plan = new OutputPlan({ inputs: [flags.model, flags.data, ...(flags.covars === undefined ? [] : [flags.covars])], overwrite: flags.overwrite ?? false });
  plan.file(flags.out, '--out');
  const idColumn = paired.idColumn === undefined ? {} : { idColumn: paired.idColumn };
  const rows = { source: flags.data, ...(paired.idColumn === undefined ? {} : { idColumn: paired.idColumn, ids: paired.ids }), features: featureNames };
  const covariates = pairedCovariates(paired, columns);
  const missingCells = await withOutputs(plan, async () => {
    const matrix = tableMatrix(data, featureNames, idColumn);
    const adjusted = inRows(rows, () => applyCombat(model, matrix, covariates));
    await plan.write(flags.out, encodeTableFile(flags.out, data, featureMap(featureNames, adjusted)));
    return countMissing(matrix);
  });
  printSummary(io, { headline: `applied ${flags.model} to ${describeFeatures(featureNames)} of ${data.rows} samples`, model, features: featureNames, missingCells, batchLabels: covariates.batch, wrote: [flags.out] }, { quiet: flags.quiet ?? false });
}
