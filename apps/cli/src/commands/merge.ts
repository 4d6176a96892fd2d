import { CombatError, finalizeModel, type CombatModel, type CombatStatistics, type CombatWarning } from '@combat/core';
import { encodeModelFile, encodeStatisticsFile, type ModelFileExtras } from '@combat/io-arrow';
import { finalizeVolumes } from '@combat/volumes';
import { DataError, UsageError, type CliIo } from '../cli-io.js';
import { describeError } from '../explain.js';
import { modeOptions, type ModeFlags, type OutputFlags } from '../options.js';
import { OutputPlan, withOutputs } from '../outputs.js';
import { describeFiles, mergeInputs, readStatisticsInputs, type StatisticsInput } from '../statistics-inputs.js';
import { describeCount, describeFeatures, printStatisticsSummary, printSummary, reportWarnings } from '../summary.js';

/**
 * The flags of `combat merge`.
 */
export interface MergeFlags extends ModeFlags, OutputFlags {
  readonly saveModel?: string;
  readonly out?: string;
}

/**
 * `combat merge STATS...`: merges statistics files of `combat fit-partial` (any mix of sites and
 * shards, with different batches or categorical levels) and writes the model fitted from them in
 * the mode the flags ask for (`--save-model`, for `combat apply` or `combat apply-volumes`), the
 * merged statistics (`--out`, to merge further), or both. Files that disagree (features, mask,
 * columns, covariates, knots) are refused naming both. Every output is checked before the first
 * write, and nothing is left behind when the run fails.
 */
export async function mergeCommand(paths: readonly string[], flags: MergeFlags, io: CliIo): Promise<void> {
  if (flags.saveModel === undefined && flags.out === undefined) {
    throw new UsageError('give --save-model FILE (the model, for combat apply or apply-volumes), --out FILE (the merged statistics), or both');
  }
  const modes = [...(flags.refBatch === undefined ? [] : ['--ref-batch']), ...(flags.meanOnly ? ['--mean-only'] : []), ...(flags.nonParametric ? ['--non-parametric'] : []), ...(flags.eb === false ? ['--no-eb'] : [])];
  if (flags.saveModel === undefined && modes.length > 0) throw new UsageError(`${modes.join(' ')} choose how the model is fitted; give --save-model FILE to fit it`);
  const plan = new OutputPlan({ inputs: paths, overwrite: flags.overwrite ?? false });
  if (flags.saveModel !== undefined) plan.file(flags.saveModel, '--save-model');
  if (flags.out !== undefined) plan.file(flags.out, '--out');
  const inputs = await readStatisticsInputs(paths);
  const statistics = mergeInputs(inputs);
  const { extras, idWarning } = mergedExtras(inputs);
  const fit = await withOutputs(plan, async () => {
    const fitted = flags.saveModel === undefined ? undefined : fitModel(statistics, extras, flags, paths);
    if (flags.saveModel !== undefined && fitted !== undefined) await plan.write(flags.saveModel, encodeModelFile(fitted.model, extras, { target: flags.saveModel }));
    if (flags.out !== undefined) await plan.write(flags.out, encodeStatisticsFile(statistics, extras, { target: flags.out }));
    return fitted;
  });
  const wrote = [...(flags.saveModel === undefined ? [] : [flags.saveModel]), ...(flags.out === undefined ? [] : [flags.out])];
  const samples = statistics.batches.reduce((n, batch) => n + batch.samples, 0);
  const of = extras.mask === undefined ? `${describeFeatures(extras.featureNames)} of ${describeCount(samples, 'sample')}` : `${describeCount(samples, 'volume')} (${extras.mask.indices.length} voxels in the mask)`;
  const headline = `merged ${describeCount(paths.length, 'statistics file')}: ${of}`;
  const quiet = { quiet: flags.quiet ?? false };
  if (idWarning !== undefined) io.stderr.write(`combat: warning: ${idWarning}\n`);
  if (fit === undefined) return printStatisticsSummary(io, { headline, statistics, wrote }, quiet);
  reportWarnings(io, fit.warnings, extras.mask === undefined ? extras.featureNames : undefined);
  printSummary(io, { headline, model: fit.model, ...(extras.mask === undefined ? { features: extras.featureNames } : {}), wrote }, quiet);
}

/**
 * What the merged files hold besides the statistics: the first file's feature names, columns and
 * mask (the others agree), and the id column when every file names the same. Sites may name their
 * id column as they like (it names rows in messages, and plays no part in the fit): when the files
 * name different ones, the outputs name none, and a warning says so, naming the files.
 */
function mergedExtras(inputs: readonly StatisticsInput[]): { extras: ModelFileExtras; idWarning?: string } {
  const [first] = inputs as [StatisticsInput];
  const same = inputs.every((input) => input.idColumn === first.idColumn);
  const extras = {
    featureNames: first.featureNames,
    ...(first.columns === undefined ? {} : { columns: first.columns }),
    ...(same && first.idColumn !== undefined ? { idColumn: first.idColumn } : {}),
    ...(first.mask === undefined ? {} : { mask: first.mask }),
  };
  if (same) return { extras };
  const named = inputs.map((input) => `${input.idColumn === undefined ? 'none' : JSON.stringify(input.idColumn)} in ${input.path}`);
  return { extras, idWarning: `the files name different id columns (${named.join(', ')}); the merged outputs name none (it only names rows in messages: give --id to combat apply)` };
}

/**
 * The model fitted from the merged statistics in the flags' mode (for volumes, with the warnings
 * naming voxels); its errors in the command's words.
 */
function fitModel(statistics: CombatStatistics, extras: ModelFileExtras, flags: MergeFlags, paths: readonly string[]): { model: CombatModel; warnings: CombatWarning[] } {
  try {
    if (extras.mask === undefined) return finalizeModel(statistics, modeOptions(flags));
    const { estimates, warnings } = finalizeVolumes({ statistics, mask: extras.mask }, modeOptions(flags));
    return { model: estimates.model, warnings };
  } catch (error) {
    if (!(error instanceof CombatError)) throw error;
    if (error.code === 'UNKNOWN_BATCH' && flags.refBatch !== undefined) throw new UsageError(`--ref-batch ${flags.refBatch}: ${error.detail}`);
    const where = error.feature === undefined ? '' : `feature ${JSON.stringify(extras.featureNames[error.feature])}: `;
    throw new DataError(`the statistics of ${describeFiles(paths)}: ${where}${describeError(error).replace(/^feature \d+: /, '')}`);
  }
}
