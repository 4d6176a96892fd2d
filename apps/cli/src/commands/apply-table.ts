import { ModelFormatError, applyCombat } from '@combat/core';
import { encodeModelFile, tableMatrix } from '@combat/io-arrow';
import { encodeTableFile, tableFormat, readModel } from '@combat/io-arrow/node';
import { UsageError, type CliIo } from '../cli-io.js';
import { inRows, type RowContext } from '../explain.js';
import type { OutputFlags } from '../options.js';
import { OutputPlan, withOutputs } from '../outputs.js';
import { addedBatches, newBatchesOption, planExtendedModel, type NewBatchFlags } from '../new-batches.js';
import { pairedCovariates, readPaired } from '../pairing.js';
import { describeCount, describeFeatures, printSummary, reportWarnings } from '../summary.js';
import { countMissing, featureMap } from './harmonize-table.js';

/**
 * The flags of `combat apply`.
 */
export interface ApplyTableFlags extends OutputFlags, NewBatchFlags {
  readonly model: string;
  readonly data: string;
  readonly covariates?: string;
  readonly id?: string;
  readonly out: string;
}

/**
 * `combat apply`: adjusts new samples with a saved model, each with its own covariates, taking the
 * feature and covariate columns the model was fitted with. With `--estimate-new-batches`, the
 * batches the model has not seen are first estimated from their samples here; `--save-model`
 * writes the model extended with them.
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
  planExtendedModel(plan, flags);
  const { idColumn } = paired;
  const rows: RowContext = { table: data, idColumn, features: featureNames };
  const covariates = pairedCovariates(paired, columns);
  const result = await withOutputs(plan, async () => {
    const matrix = tableMatrix(data, featureNames, { idColumn });
    const applied = inRows(rows, () => applyCombat(model, matrix, covariates, { newBatches: newBatchesOption(flags) }));
    await plan.write(flags.out, encodeTableFile(flags.out, data, featureMap(featureNames, applied.data)));
    if (flags.saveModel !== undefined) {
      await plan.write(flags.saveModel, encodeModelFile(applied.model, { featureNames, columns, idColumn }, { target: flags.saveModel }));
    }
    return { ...applied, missingCells: countMissing(matrix) };
  });
  reportWarnings(io, result.warnings, featureNames);
  printSummary(
    io,
    {
      headline: `applied ${flags.model} to ${describeFeatures(featureNames)} of ${describeCount(data.rows, 'sample')}`,
      model: result.model,
      features: featureNames,
      missingCells: result.missingCells,
      batchLabels: covariates.batch,
      newBatches: addedBatches(model, result.model),
      wrote: [flags.out, ...(flags.saveModel === undefined ? [] : [flags.saveModel])],
    },
    { quiet: flags.quiet ?? false },
  );
}
