import { harmonize } from '@combat/core';
import { covariatesFromTable, featureColumns, tableMatrix } from '@combat/io-arrow';
import { writeModel, writeTable } from '@combat/io-arrow/node';
import { UsageError, reportWarnings, type CliIo } from '../cli-io.js';
import { columnRoles, combatOptions, type ModelFlags } from '../options.js';
import { readPaired } from '../pairing.js';

/**
 * The flags of `combat harmonize`.
 *
 * @example
 * ```ts
 * const flags: HarmonizeTableFlags = { data: 'rois.csv', batch: 'site', out: 'harmonized.csv' };
 * ```
 */
export interface HarmonizeTableFlags extends ModelFlags {
  readonly data: string;
  readonly covars?: string;
  readonly id?: string;
  readonly features?: string[];
  readonly exclude?: string[];
  readonly out: string;
  readonly saveModel?: string;
}

/**
 * `combat harmonize`: ComBat on the feature columns of a table; writes the table with every input
 * column in order and the features harmonized, and the model on request.
 *
 * @example
 * ```ts
 * await harmonizeTable({ data: 'rois.csv', batch: 'site', continuous: ['age'], out: 'out.csv' }, io);
 * ```
 */
export async function harmonizeTable(flags: HarmonizeTableFlags, io: CliIo): Promise<void> {
  if (flags.features !== undefined && flags.exclude !== undefined) throw new UsageError('--features and --exclude cannot be used together');
  const { data, covars } = await readPaired(flags.data, flags.covars, flags.id);
  const roles = columnRoles(flags, flags.id);
  const features = featureColumns(data, roles, { ...(flags.features && { features: flags.features }), ...(flags.exclude && { exclude: flags.exclude }) });
  const matrix = tableMatrix(data, features);
  const result = harmonize(matrix, covariatesFromTable(covars, roles), combatOptions(flags));
  reportWarnings(io, result.warnings);
  const inputs = [flags.data, ...(flags.covars === undefined ? [] : [flags.covars])];
  await writeTable(flags.out, data, featureMap(features, result.data), { protect: inputs });
  if (flags.saveModel !== undefined) await writeModel(flags.saveModel, result.model, { featureNames: features, columns: roles }, { protect: [...inputs, flags.out] });
  io.stdout.write(`harmonized ${features.length} features of ${matrix.samples} samples in ${result.model.batches.length} batches (${result.model.batches.join(', ')}); wrote ${flags.out}\n`);
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
