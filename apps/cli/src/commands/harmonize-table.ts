import { harmonize, type DataMatrix } from '@combat/core';
import { checkComplete } from '@combat/core/internal';
import { encodeModelFile, type Table } from '@combat/io-arrow';
import { tableFormat } from '@combat/io-arrow/node';
import type { CliIo } from '../cli-io.js';
import { diagnosticsOutputs, planDiagnostics, wantsDiagnostics, writeDiagnostics, type DiagnosticsFlags } from '../diagnostics-output.js';
import { inRows, type RowContext } from '../explain.js';
import { harmonizeLongitudinalTable } from './harmonize-longitudinal.js';
import { featuresNeeded, selectFeatures } from '../feature-columns.js';
import { covbatChoice, type CovbatFlags } from '../covbat-flags.js';
import { fitCovbatChunks } from '../covbat-pass.js';
import { KeptRows } from '../kept-rows.js';
import { batchFlags, combatOptions, covariateColumns, flagOfColumn, type ModelFlags, type OutputFlags } from '../options.js';
import { OutputPlan, withOutputs } from '../outputs.js';
import { pairedCovariates, readPaired } from '../pairing.js';
import { namedPaths, type RunFacts } from '../run-facts.js';
import { describeCount, describeFeatures, printSummary, reportWarnings } from '../summary.js';
import { adjustChunks, fitChunks, outputEncoder } from '../table-passes.js';
import { withCombatThreads, type ThreadsFlags } from '../threads-flag.js';

/**
 * The flags of `combat harmonize`.
 */
export interface HarmonizeTableFlags extends ModelFlags, OutputFlags, ThreadsFlags, DiagnosticsFlags, CovbatFlags {
  readonly data: string;
  readonly covariates?: string;
  readonly id?: string;
  readonly features?: string[];
  readonly exclude?: string[];
  readonly out: string;
  readonly saveModel?: string;
  /** The subject column: longitudinal ComBat (see `harmonizeLongitudinalTable`). */
  readonly subject?: string;
}

/**
 * `combat harmonize`: ComBat on the feature columns `--features` names; writes the table with
 * every input column in order and the features harmonized, and the model on request. The data is
 * read in chunks, in passes: its id, batch and covariate columns, then a fit pass, then an adjust
 * pass that writes the output as it goes, so tables larger than memory can be harmonized. With
 * `--report` or `--diagnostics`, the features before and after are kept in memory for the
 * diagnostics of the run. With `--covbat`, a pass between the two keeps the ComBat output of every
 * row in memory for CovBat's principal components (see `fitCovbatChunks`). Every output is checked
 * before the first write, and nothing is left behind when the run fails.
 */
export async function harmonizeTable(flags: HarmonizeTableFlags, io: CliIo, run: RunFacts): Promise<void> {
  // CovBat's flags are checked first, so none goes unread with --subject.
  const covbat = covbatChoice(flags);
  if (flags.subject !== undefined) return harmonizeLongitudinalTable({ ...flags, subject: flags.subject }, io);
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
  await planDiagnostics(plan, flags);
  const context = { idColumn, features, batches: batchFlags(flags) };
  const rows: RowContext = { ...context, table: data };
  const options = combatOptions(flags);
  const outputs = namedPaths(['the harmonized table', flags.out], ['the model', flags.saveModel], ...diagnosticsOutputs(flags));
  const result = await withOutputs(plan, async () => {
    const covariates = pairedCovariates(paired, columns);
    // No rows: the library says so, as it does of an empty matrix.
    if (data.rows === 0) inRows(rows, () => harmonize({ data: new Float64Array(0), samples: 0, features: features.length }, covariates, options));
    const output = outputEncoder(flags.out);
    const [before, after] = wantsDiagnostics(flags) ? [new KeptRows(data.rows, features.length), new KeptRows(data.rows, features.length)] : [];
    const fit = await withCombatThreads(flags, data.rows * features.length, async (threads) => {
      const scan = (chunk: Table, matrix: DataMatrix) => {
        output.scan(chunk, features);
        before?.set(chunk.firstRow ?? 0, matrix.data);
        // CovBat needs complete data: a missing cell is an error naming its row, before any fit.
        if (covbat !== null) checkComplete(matrix);
      };
      const combatFit = await fitChunks(paired, features, covariates, options, context, scan, threads);
      // The ComBat step's output is kept past the CovBat fit only for the diagnostics.
      const fitted: typeof combatFit & { combat?: DataMatrix } =
        covbat === null
          ? combatFit
          : await fitCovbatChunks(paired, features, combatFit, context, covbat, threads).then(({ model, warnings, combat }) => ({
              ...combatFit,
              model,
              // The ComBat step's warnings, then CovBat's score step's.
              warnings: [...combatFit.warnings, ...warnings],
              ...(before === undefined ? {} : { combat }),
            }));
      const keep = after === undefined ? undefined : (chunk: Table, adjusted: Float64Array) => after.set(chunk.firstRow ?? 0, adjusted);
      await adjustChunks(paired, features, fitted.model, fitted.encoded, context, { plan, path: flags.out, encoder: output.encoder }, threads, keep);
      return fitted;
    });
    if (flags.saveModel !== undefined) await plan.write(flags.saveModel, encodeModelFile(fit.model, { featureNames: features, columns, idColumn }, { target: flags.saveModel }));
    if (before !== undefined && after !== undefined) {
      const files = { inputs: namedPaths(['the table', flags.data], ['the covariates', flags.covariates]), outputs };
      const combat = fit.combat === undefined ? {} : { combat: fit.combat };
      await writeDiagnostics(plan, flags, { before: before.matrix(), after: after.matrix(), ...combat, covariates, model: fit.model, names: features }, { ...run, ...files });
    }
    return fit;
  });
  reportWarnings(io, result.warnings, features);
  printSummary(
    io,
    { headline: `harmonized ${describeFeatures(features)} of ${describeCount(data.rows, 'sample')}`, model: result.model, features, missingCells: result.missingCells, wrote: outputs.map(([, path]) => path) },
    { quiet: flags.quiet ?? false },
  );
}
