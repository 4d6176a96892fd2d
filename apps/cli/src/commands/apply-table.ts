import { ModelFormatError, applyCombat } from '@combat/core';
import { tableMatrix } from '@combat/io-arrow';
import { encodeTableFile, tableFormat, readModel } from '@combat/io-arrow/node';
import { UsageError, type CliIo } from '../cli-io.js';
import { inRows, type RowContext } from '../explain.js';
import type { OutputFlags } from '../options.js';
import { OutputPlan, withOutputs } from '../outputs.js';
import { pairedCovariates, readPaired } from '../pairing.js';
import { describeFeatures, printSummary } from '../summary.js';
import { countMissing, featureMap } from './harmonize-table.js';

/**
 * The flags of `combat apply`.
 */
export interface ApplyTableFlags extends OutputFlags {
  readonly model: string;
  readonly data: string;
  readonly covariates?: string;
  readonly id?: string;
  readonly out: string;
}

/**
 * `combat apply`: adjusts new samples of the training batches with a saved model, each with its
 * own covariates, taking the feature and covariate columns the model was fitted with.
 */
export async function applyTable(flags: ApplyTableFlags, io: CliIo): Promise<void> {
  tableFormat(flags.out);
  const { model, featureNames, columns, mask } = await readModel(flags.model);
  if (mask !== undefined) throw new UsageError(`${flags.model} is a volume model; use combat apply-volumes`);
  if (columns === undefined) throw new ModelFormatError(`${flags.model}: the model does not say which columns hold the batch and covariates`);
  const paired = await readPaired(flags.data, flags.covariates, flags.id);
  const { data } = paired;
  const plan = new OutputPlan({ inputs: [flags.model, flags.data, ...(flags.covariates === undefined ? [] : [flags.covariates])], overwrite: flags.overwrite ?? false });
  plan.file(flags.out, '--out');
  const { idColumn } = paired;
  const rows: RowContext = { table: data, idColumn, features: featureNames };
  const covariates = pairedCovariates(paired, columns);
  const missingCells = await withOutputs(plan, async () => {
    const matrix = tableMatrix(data, featureNames, { idColumn });
    const adjusted = inRows(rows, () => applyCombat(model, matrix, covariates));
    await plan.write(flags.out, encodeTableFile(flags.out, data, featureMap(featureNames, adjusted)));
    return countMissing(matrix);
  });
  printSummary(io, { headline: `applied ${flags.model} to ${describeFeatures(featureNames)} of ${data.rows} samples`, model, features: featureNames, missingCells, batchLabels: covariates.batch, wrote: [flags.out] }, { quiet: flags.quiet ?? false });
}
