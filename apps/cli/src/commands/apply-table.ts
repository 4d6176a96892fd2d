import { CombatAccumulator, ModelFormatError, applyCombat, encodeCovariates, estimateBatchesFromStatistics, rangeWarnings, type CombatModel, type EncodedRows } from '@combat/core';
import { findBatches } from '@combat/core/internal';
import { encodeModelFile, requireColumn, type Table } from '@combat/io-arrow';
import { tableFormat, readModel } from '@combat/io-arrow/node';
import { UsageError, type CliIo } from '../cli-io.js';
import { inRows, type RowContext } from '../explain.js';
import type { OutputFlags } from '../options.js';
import { OutputPlan, withOutputs } from '../outputs.js';
import { addedBatches, newBatchesOption, planExtendedModel, type NewBatchFlags } from '../new-batches.js';
import { pairedCovariates, readPaired, type PairedTables } from '../pairing.js';
import { describeCount, describeFeatures, printSummary, reportWarnings } from '../summary.js';
import { adjustChunks, eachChunk, outputEncoder, type ChunkContext } from '../table-passes.js';
import { withCombatThreads, type ThreadsFlags } from '../threads-flag.js';

/**
 * The flags of `combat apply`.
 */
export interface ApplyTableFlags extends OutputFlags, NewBatchFlags, ThreadsFlags {
  readonly model: string;
  readonly data: string;
  readonly covariates?: string;
  readonly id?: string;
  readonly out: string;
}

/**
 * `combat apply`: adjusts new samples with a saved model, each with its own covariates, taking the
 * feature and covariate columns the model was fitted with. With `--estimate-new-batches`, the
 * batches the model has not seen are first estimated from their samples here, in a pass over the
 * data; `--save-model` writes the model extended with them. The data is read in chunks and the
 * output written as it goes (see `combat harmonize`).
 */
export async function applyTable(flags: ApplyTableFlags, io: CliIo): Promise<void> {
  tableFormat(flags.out);
  const { model, featureNames, columns, mask } = await readModel(flags.model);
  if (mask !== undefined) throw new UsageError(`${flags.model} is a volume model; use combat apply-volumes`);
  if (columns === undefined) throw new ModelFormatError(`${flags.model}: the model does not say which columns hold the batch and covariates`);
  const paired = await readPaired(flags.data, flags.covariates, flags.id, columns);
  const { file, data, idColumn } = paired;
  const plan = new OutputPlan({ inputs: [flags.model, flags.data, ...(flags.covariates === undefined ? [] : [flags.covariates])], overwrite: flags.overwrite ?? false });
  plan.file(flags.out, '--out');
  planExtendedModel(plan, flags);
  const context: ChunkContext = { idColumn, features: featureNames };
  const rows: RowContext = { ...context, table: data };
  const covariates = pairedCovariates(paired, columns);
  const result = await withOutputs(plan, async () => {
    for (const name of featureNames) requireColumn(file.header, name, 'feature column');
    // No rows: the library says so, as it does of an empty matrix.
    if (data.rows === 0) inRows(rows, () => applyCombat(model, { data: new Float64Array(0), samples: 0, features: featureNames.length }, covariates, { newBatches: newBatchesOption(flags) }));
    const encoded = inRows(rows, () => encodeCovariates(model.coding, covariates));
    const warnings = rangeWarnings(model.coding, covariates);
    const output = outputEncoder(flags.out);
    const unseen = new Set(encoded.batch.filter((batch) => !model.batches.has(batch)));
    const estimating = newBatchesOption(flags) === 'estimate' && unseen.size > 0;
    if (estimating && model.covbat !== undefined) {
      throw new UsageError(`--estimate-new-batches: ${flags.model} is a CovBat model, whose new batches cannot be estimated yet (${[...unseen].join(', ')} not seen in training); apply it to samples of its training batches only`);
    }
    let used = model;
    if (estimating || (output.encoder.format === 'arrow' && tableFormat(flags.data) !== 'arrow')) {
      const statistics = await scanChunks(paired, featureNames, encoded, context, estimating ? { model, unseen } : null, (chunk) => output.scan(chunk, featureNames));
      if (statistics !== null) {
        const estimated = inRows(rows, () => estimateBatchesFromStatistics(model, statistics.statistics()));
        used = estimated.model;
        warnings.push(...estimated.warnings);
      }
    }
    // Every row's batch is the model's; the first that is not is the library's error, with the flag that estimates it.
    inRows(rows, () => findBatches(used, encoded, true));
    const missingCells = await withCombatThreads(flags, data.rows * featureNames.length, (threads) => adjustChunks(paired, featureNames, used, encoded, context, { plan, path: flags.out, encoder: output.encoder }, threads));
    if (flags.saveModel !== undefined) {
      await plan.write(flags.saveModel, encodeModelFile(used, { featureNames, columns, idColumn }, { target: flags.saveModel }));
    }
    return { model: used, warnings, missingCells };
  });
  reportWarnings(io, result.warnings, featureNames, rows);
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

/**
 * A pass before the adjust pass: every chunk to `scan` (an Arrow output learns its column types)
 * and, when `estimate` says which batches are new, the statistics of their rows, accumulated with
 * the model's coding.
 */
async function scanChunks(
  paired: PairedTables,
  features: readonly string[],
  encoded: EncodedRows,
  context: ChunkContext,
  estimate: { model: CombatModel; unseen: ReadonlySet<string> } | null,
  scan: (chunk: Table) => void,
): Promise<CombatAccumulator | null> {
  const accumulator = estimate === null ? null : new CombatAccumulator(estimate.model.coding, features.length);
  const V = features.length;
  const q = estimate === null ? 0 : estimate.model.coding.columns.length;
  await eachChunk(paired, features, encoded, context, (chunk, matrix, rows) => {
    scan(chunk);
    if (accumulator === null || estimate === null) return;
    const picked = rows.batch.flatMap((batch, i) => (estimate.unseen.has(batch) ? [i] : []));
    if (picked.length === 0) return;
    const data = new Float64Array(picked.length * V);
    const covariates = new Float64Array(picked.length * q);
    picked.forEach((i, j) => {
      data.set(matrix.data.subarray(i * V, (i + 1) * V), j * V);
      covariates.set(rows.covariates.subarray(i * q, (i + 1) * q), j * q);
    });
    accumulator.addEncoded({ data, samples: picked.length, features: V }, { samples: picked.length, batch: picked.map((i) => rows.batch[i] as string), covariates });
  });
  return accumulator;
}

