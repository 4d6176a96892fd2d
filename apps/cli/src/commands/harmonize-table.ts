import { harmonize, type DataMatrix } from '@combat/core';
import { encodeModelFile, tableMatrix } from '@combat/io-arrow';
import { encodeTableFile, tableFormat } from '@combat/io-arrow/node';
import type { CliIo } from '../cli-io.js';
import { inRows, type RowContext } from '../explain.js';
import { featuresNeeded, selectFeatures } from '../feature-columns.js';
import { batchFlags, combatOptions, covariateColumns, flagOfColumn, type ModelFlags, type OutputFlags } from '../options.js';
import { OutputPlan, withOutputs } from '../outputs.js';
import { pairedCovariates, readPaired } from '../pairing.js';
import { describeCount, describeFeatures, printSummary, reportWarnings } from '../summary.js';

/**
 * The flags of `combat harmonize`.
 */
export interface HarmonizeTableFlags extends ModelFlags, OutputFlags {
  readonly data: string;
  readonly covariates?: string;
  readonly id?: string;
  readonly features?: string[];
  readonly exclude?: string[];
  readonly out: string;
  readonly saveModel?: string;
}

/**
 * `combat harmonize`: ComBat on the feature columns `--features` names; writes the table with
 * every input column in order and the features harmonized, and the model on request. Every
 * output is checked before the first write, and nothing is left behind when the run fails.
 */
export async function harmonizeTable(flags: HarmonizeTableFlags, io: CliIo): Promise<void> {
  const reserved = flagOfColumn(flags, flags.id);
  tableFormat(flags.out);
  const paired = await readPaired(flags.data, flags.covariates, flags.id);
  const { data } = paired;
  if (flags.features === undefined) throw featuresNeeded(data, reserved);
  const features = selectFeatures(data, flags.features, flags.exclude ?? [], reserved);
  const plan = new OutputPlan({ inputs: [flags.data, ...(flags.covariates === undefined ? [] : [flags.covariates])], overwrite: flags.overwrite ?? false });
  plan.file(flags.out, '--out');
  if (flags.saveModel !== undefined) plan.file(flags.saveModel, '--save-model');
  const { idColumn } = paired;
  const rows: RowContext = { table: data, idColumn, features, batches: batchFlags(flags) };
  const columns = covariateColumns(flags);
  const result = await withOutputs(plan, async () => {
    const matrix = tableMatrix(data, features, { idColumn });
    const fit = inRows(rows, () => harmonize(matrix, pairedCovariates(paired, columns), combatOptions(flags)));
    await plan.write(flags.out, encodeTableFile(flags.out, data, featureMap(features, fit.data)));
    if (flags.saveModel !== undefined) await plan.write(flags.saveModel, encodeModelFile(fit.model, { featureNames: features, columns, idColumn }, { target: flags.saveModel }));
    return { ...fit, missingCells: countMissing(matrix) };
  });
  reportWarnings(io, result.warnings, features);
  printSummary(
    io,
    { headline: `harmonized ${describeFeatures(features)} of ${describeCount(data.rows, 'sample')}`, model: result.model, features, missingCells: result.missingCells, wrote: [flags.out, ...(flags.saveModel === undefined ? [] : [flags.saveModel])] },
    { quiet: flags.quiet ?? false },
  );
}

/**
 * Splits a sample-major matrix into named columns.
 */
export function featureMap(features: readonly string[], data: Float64Array): Map<string, Float64Array> {
  const V = features.length;
  return new Map(features.map((name, v) => [name, Float64Array.from({ length: data.length / V }, (_, i) => data[i * V + v] as number)]));
}

/**
 * The number of missing (NaN) cells of a matrix.
 */
export function countMissing(matrix: DataMatrix): number {
  let missing = 0;
  for (const value of matrix.data) if (value !== value) missing++;
  return missing;
}
