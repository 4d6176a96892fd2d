import { applyCombat, encodeCovariates } from '@combat/core';
import { findBatches } from '@combat/core/internal';
import { decodeModelFile, encodeModelFile, tableMatrix, type CovariateColumns, type DecodedModelFile } from '@combat/io-arrow';
import { FieldError, inField, type RowContext } from './explain.js';
import { describeFeatures, describeMode, describeWarning, encodeTable, readTable, yieldToEvents, type Progress } from './harmonize-run.js';
import { checkModelColumns } from './model-columns.js';
import { pairedCovariates, requireId } from './pairing.js';
import type { ApplyRequest, ApplyResult, ModelFacts } from './protocol.js';
import { harmonizedName, tableFormat } from './table-file.js';

/** The name the extended model is downloaded under. */
const EXTENDED_MODEL_NAME = 'model-extended.arrow';

/** A table model file read, with the columns it was fitted with (a volume model, or one without its columns, refused). */
type TableModel = DecodedModelFile & { readonly columns: CovariateColumns };

/**
 * A model file's bytes read as `combat apply` reads `--model` (io-arrow's `decodeModelFile`, its
 * checksum and checks), refused next to the model file when it is a volume model or does not say
 * which columns hold the batch and covariates.
 */
export async function readModelFile(file: File): Promise<TableModel> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  const decoded = inField('model-file', () => decodeModelFile(bytes, { source: file.name }));
  if (decoded.mask !== undefined) throw new FieldError('model-file', `${file.name} is a volume model; use combat apply-volumes`);
  const { columns } = decoded;
  if (columns === undefined) throw new FieldError('model-file', `${file.name}: the model does not say which columns hold the batch and covariates`);
  return { ...decoded, columns };
}

/** What the page shows of a model to fill its pickers. */
export function modelFacts(decoded: TableModel): ModelFacts {
  return {
    batch: decoded.columns.batch,
    categorical: [...(decoded.columns.categorical ?? [])],
    continuous: [...(decoded.columns.continuous ?? [])],
    idColumn: decoded.idColumn ?? null,
    features: [...decoded.featureNames],
    batches: [...decoded.model.batches.keys()],
    mode: describeMode(decoded.model),
  };
}

/**
 * One apply, as `combat apply --model ... --data ... [--covariates ... --id ...] --out ...
 * [--estimate-new-batches --save-model ...]` does it: reads the model and the tables, checks the
 * model's columns against them (in the reader's words, next to the file that lacks one), pairs
 * them, refuses a batch the model has not seen unless asked to estimate it (the CLI's message,
 * next to the option), adjusts with core's `applyCombat`, and encodes the table in the input's
 * format and, when batches were estimated, the extended model.
 */
export async function runApply(request: ApplyRequest, progress: Progress): Promise<ApplyResult> {
  progress('reading the model and the tables', 0.05);
  const { model, featureNames, columns } = await readModelFile(request.model);
  const data = await readTable(request.data, 'data-file');
  const covariatesTable = request.covariates === null ? null : await readTable(request.covariates, 'covars-file');
  requireId(covariatesTable, request.id);
  checkModelColumns(data, covariatesTable, featureNames, columns, request.id);
  const idColumn = request.id ?? undefined;
  const rows: RowContext = { table: data, features: featureNames, ...(idColumn === undefined ? {} : { idColumn }) };
  const covariates = pairedCovariates(data, covariatesTable, request.id, columns);
  const matrix = inField('data-file', () => tableMatrix(data, featureNames, { idColumn }));
  const encoded = inField(request.covariates === null ? 'data-file' : 'covars-file', () => encodeCovariates(model.coding, covariates), rows);
  const unseen = [...new Set(encoded.batch.filter((batch) => !model.batches.has(batch)))];
  const estimating = request.estimateNewBatches && unseen.length > 0;
  // Every row's batch is the model's; the first that is not is the CLI's error, next to the option that estimates it.
  if (!estimating) inField('new-batches', () => findBatches(model, encoded, true), rows);
  if (estimating && model.covbat !== undefined) {
    throw new FieldError('new-batches', `${request.model.name} is a CovBat model, whose new batches cannot be estimated yet (${unseen.join(', ')} not seen in training); apply it to samples of its training batches only`);
  }
  progress(estimating ? 'estimating new batches and adjusting' : 'adjusting', 0.3);
  await yieldToEvents();
  const applied = inField('run', () => applyCombat(model, matrix, covariates, { newBatches: estimating ? 'estimate' : 'error' }), rows);
  const added = [...applied.model.batches.keys()].filter((batch) => !model.batches.has(batch));
  progress('writing the table', 0.8);
  await yieldToEvents();
  const table = encodeTable(data, featureNames, applied.data, tableFormat(request.data.name));
  const extended = added.length === 0 ? null : encodeModelFile(applied.model, { featureNames, columns, ...(idColumn === undefined ? {} : { idColumn }) }, { target: EXTENDED_MODEL_NAME });
  progress('done', 1);
  return {
    table: { name: harmonizedName(request.data.name), bytes: table },
    model: extended === null ? null : { name: EXTENDED_MODEL_NAME, bytes: extended },
    summary: `applied ${request.model.name} to ${describeFeatures(featureNames)} of ${matrix.samples} sample${matrix.samples === 1 ? '' : 's'}${added.length === 0 ? '' : `; new batches estimated: ${added.join(', ')}`}`,
    warnings: applied.warnings.map((warning) => describeWarning(warning, featureNames)),
  };
}
