import { covarsFile, dataFile, element, idColumn, modelFile, modelMode, newBatches } from './controls.js';
import { startWorker } from './page-worker.js';
import { state } from './page-state.js';
import { refreshPickers } from './pickers.js';
import { clearProblems, showProblem } from './problems.js';
import type { ApplyRequest, Reply, Request } from './protocol.js';
import { filesChanged } from './run-controls.js';
import { tablesReady } from './table-inputs.js';

/** Applying a saved model (`combat apply`): the model file read in a worker of its own, and the run the controls ask for. */

let reader: Worker | null = null;

/** Reads a chosen model file in a worker of its own and fills the pickers from it. */
function inspectModel(file: File | undefined): void {
  filesChanged();
  reader?.terminate();
  reader = null;
  clearProblems();
  state.model = null;
  element<HTMLParagraphElement>('model-file-info').textContent = '';
  modelMode.textContent = "The model's mode applies (choose the model file).";
  refreshPickers();
  if (file === undefined) return;
  const worker = startWorker();
  reader = worker;
  worker.onmessage = (event: MessageEvent<Reply>) => {
    const reply = event.data;
    worker.terminate();
    reader = null;
    if (reply.kind === 'problem') {
      showProblem(reply.problem.field, reply.problem.message);
      return;
    }
    if (reply.kind !== 'model') return;
    const model = reply.facts;
    state.model = model;
    const covariates = [...model.categorical, ...model.continuous];
    element<HTMLParagraphElement>('model-file-info').textContent =
      `${file.name}: ${model.features.length} features; batch column "${model.batch}" (${model.batches.join(', ')})${covariates.length === 0 ? '' : `; covariates ${covariates.map((name) => `"${name}"`).join(', ')}`}`;
    modelMode.textContent = `The model's mode applies: ${model.mode}.`;
    refreshPickers();
  };
  worker.onerror = (error) => {
    worker.terminate();
    reader = null;
    showProblem('model-file', `${file.name}: could not be read (${error.message || 'the reader stopped'}); choose it again, or another file`);
  };
  worker.postMessage({ kind: 'inspect-model', file } satisfies Request);
}

/** The application of the model (`combat apply`) the controls ask for, or null after showing what is missing. */
export function applyRequest(): ApplyRequest | null {
  const given = modelFile.files?.[0];
  if (given === undefined || state.model === null) {
    showProblem('model-file', 'choose the model file: a model.arrow written by combat harmonize --save-model, or downloaded from this page');
    return null;
  }
  const data = dataFile.files?.[0];
  if (data === undefined || state.columns.data === null) {
    showProblem('data-file', 'choose the data table: a CSV, TSV, Arrow or Feather file with one row per subject');
    return null;
  }
  if (!tablesReady()) return null;
  return { model: given, data, covariates: covarsFile.files?.[0] ?? null, id: idColumn.value === '' ? null : idColumn.value, estimateNewBatches: newBatches.checked };
}

/** Listens to the model's controls: a model chosen is read; the option to estimate new batches changes the run's result. */
export function listenToModel(): void {
  modelFile.addEventListener('change', () => inspectModel(modelFile.files?.[0]));
  newBatches.addEventListener('change', filesChanged);
}
