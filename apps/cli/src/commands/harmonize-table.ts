import { harmonize } from '@combat/core';
import { encodeModelFile } from '@combat/io-arrow';
import { tableFormat } from '@combat/io-arrow/node';
import type { CliIo } from '../cli-io.js';
import { inRows, type RowContext } from '../explain.js';
import { featuresNeeded, selectFeatures } from '../feature-columns.js';
import { batchFlags, combatOptions, covariateColumns, flagOfColumn, type ModelFlags, type OutputFlags } from '../options.js';
import { OutputPlan, withOutputs } from '../outputs.js';
import { pairedCovariates, readPaired } from '../pairing.js';
import { describeCount, describeFeatures, printSummary, reportWarnings } from '../summary.js';
import { adjustChunks, fitChunks, outputEncoder } from '../table-passes.js';
import { withCombatThreads, type ThreadsFlags } from '../threads-flag.js';

/**
 * The flags of `combat harmonize`.
 */
export interface HarmonizeTableFlags extends ModelFlags, OutputFlags, ThreadsFlags {
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
 * every input column in order and the features harmonized, and the model on request. The data is
 * read in chunks, in passes: its id, batch and covariate columns, then a fit pass, then an adjust
 * pass that writes the output as it goes, so tables larger than memory can be harmonized. Every
 * output is checked before the first write, and nothing is left behind when the run fails.
 */
export async function harmonizeTable(flags: HarmonizeTableFlags, io: CliIo): Promise<void> {
  const reserved = flagOfColumn(flags, flags.id);
  tableFormat(flags.out);
  const columns = covariateColumns(flags);
  const paired = await readPaired(flags.data, flags.covariates, flags.id, columns);
  const { file, data, idColumn } = paired;
  if (flags.features === undefined) throw await featuresNeeded(file, reserved);
  const features = selectFeatures(file.header, flags.features, flags.exclude ?? [], reserved);
  const plan = new OutputPlan({ inputs: [flags.data, ...(flags.covariates === undefined ? [] : [flags.covariates])], overwrite: flags.overwrite ?? false });
  plan.file(flags.out, '--out');
  if (flags.saveModel !== undefined) plan.file(flags.saveModel, '--save-model');
  const context = { idColumn, features, batches: batchFlags(flags) };
  const rows: RowContext = { ...context, table: data };
  const options = combatOptions(flags);
  const result = await withOutputs(plan, async () => {
    const covariates = pairedCovariates(paired, columns);
    // No rows: the library says so, as it does of an empty matrix.
    if (data.rows === 0) inRows(rows, () => harmonize({ data: new Float64Array(0), samples: 0, features: features.length }, covariates, options));
    const output = outputEncoder(flags.out);
    const fit = await withCombatThreads(flags, async (threads) => {
      const fitted = await fitChunks(paired, features, covariates, options, context, (chunk) => output.scan(chunk, features), threads);
      await adjustChunks(paired, features, fitted.model, fitted.encoded, context, { plan, path: flags.out, encoder: output.encoder }, threads);
      return fitted;
    });
    if (flags.saveModel !== undefined) await plan.write(flags.saveModel, encodeModelFile(fit.model, { featureNames: features, columns, idColumn }, { target: flags.saveModel }));
    return fit;
  });
  reportWarnings(io, result.warnings, features);
  printSummary(
    io,
    { headline: `harmonized ${describeFeatures(features)} of ${describeCount(data.rows, 'sample')}`, model: result.model, features, missingCells: result.missingCells, wrote: [flags.out, ...(flags.saveModel === undefined ? [] : [flags.saveModel])] },
    { quiet: flags.quiet ?? false },
  );
}
