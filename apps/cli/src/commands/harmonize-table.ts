import { harmonize, type DataMatrix } from '@combat/core';
import { encodeModelFile, tableMatrix } from '@combat/io-arrow';
import { encodeTableFile, tableFormat } from '@combat/io-arrow/node';
import type { CliIo } from '../cli-io.js';
import { inRows } from '../explain.js';
import { featuresNeeded, selectFeatures } from '../feature-columns.js';
import { columnRoles, combatOptions, flagOfColumn, type ModelFlags, type OutputFlags } from '../options.js';
import { OutputPlan, withOutputs } from '../outputs.js';
import { pairedCovariates, readPaired } from '../pairing.js';
import { describeFeatures, printSummary, reportWarnings } from '../summary.js';

/**
 * The flags of `combat harmonize`.
 *
 * @example
 * ```ts
 * const flags: HarmonizeTableFlags = { data: 'rois.csv', batch: 'site', features: ['lh_*'], out: 'harmonized.csv' };
 * ```
 */
export interface HarmonizeTableFlags extends ModelFlags, OutputFlags {
  readonly data: string;
  readonly covars?: string;
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
 *
 * @example
 * ```ts
 * await harmonizeTable({ data: 'rois.csv', batch: 'site', continuous: ['age'], features: ['lh_*'], out: 'out.csv' }, io);
 * ```
 */
export async function harmonizeTable(flags: HarmonizeTableFlags, io: CliIo): Promise<void> {
  const reserved = flagOfColumn(flags, flags.id);
  tableFormat(flags.out);
  const paired = await readPaired(flags.data, flags.covars, flags.id);
  const { data } = paired;
  if (flags.features === undefined) throw featuresNeeded(data, reserved);
  const features = selectFeatures(data, flags.features, flags.exclude ?? [], reserved);
  const plan = new OutputPlan({ inputs: [flags.data, ...(flags.covars === undefined ? [] : [flags.covars])], overwrite: flags.overwrite ?? false });
  plan.file(flags.out, '--out');
  if (flags.saveModel !== undefined) plan.file(flags.saveModel, '--save-model');
  const rows = { source: flags.data, ...(paired.idColumn === undefined ? {} : { idColumn: paired.idColumn, ids: paired.ids }), features };
  const idColumn = paired.idColumn === undefined ? {} : { idColumn: paired.idColumn };
  const roles = columnRoles(flags, flags.id);
  const result = await withOutputs(plan, async () => {
    const matrix = tableMatrix(data, features, idColumn);
    const fit = inRows(rows, () => harmonize(matrix, pairedCovariates(paired, roles), combatOptions(flags)));
    await plan.write(flags.out, encodeTableFile(flags.out, data, featureMap(features, fit.data)));
    if (flags.saveModel !== undefined) await plan.write(flags.saveModel, encodeModelFile(fit.model, { featureNames: features, columns: roles }));
    return { ...fit, missingCells: countMissing(matrix) };
  });
  reportWarnings(io, result.warnings, features);
  printSummary(
    io,
    { headline: `harmonized ${describeFeatures(features)} of ${data.rows} samples`, model: result.model, features, missingCells: result.missingCells, wrote: [flags.out, ...(flags.saveModel === undefined ? [] : [flags.saveModel])] },
    { quiet: flags.quiet ?? false },
  );
}

/**
 * Splits a sample-major matrix into named columns.
 *
 * @example
 * ```ts
 * featureMap(['a', 'b'], Float64Array.of(1, 2, 3, 4)); // Map { 'a' => [1, 3], 'b' => [2, 4] }
 * ```
 */
export function featureMap(features: readonly string[], data: Float64Array): Map<string, Float64Array> {
  const V = features.length;
  return new Map(features.map((name, v) => [name, Float64Array.from({ length: data.length / V }, (_, i) => data[i * V + v] as number)]));
}

/**
 * The number of missing (NaN) cells of a matrix.
 *
 * @example
 * ```ts
 * countMissing({ data: Float64Array.of(1, NaN), samples: 1, features: 2 }); // 1
 * ```
 */
export function countMissing(matrix: DataMatrix): number {
  let missing = 0;
  for (const value of matrix.data) if (value !== value) missing++;
  return missing;
}
