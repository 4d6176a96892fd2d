import { tableFromColumns } from '@combat/io-arrow';
import { offeredFeatures, type ColumnFacts } from './columns.js';
import { droppedEntries, entryFiles } from './dropped-files.js';
import { FieldError } from './explain.js';
import { checkModelColumns } from './model-columns.js';
import type { ApplyRequest, ApplyResult, Field, Mode, ModelFacts, Reply, Request, RunRequest, RunResult, Task, VolumeRequest, VolumeResult } from './protocol.js';
import { VolumeViewer } from './viewer.js';

/**
 * The page: three tasks on one form (harmonize a table, apply a saved model, harmonize volumes;
 * each shows the controls marked `data-tasks` with its name), a worker per file read and per run
 * (the page stays responsive; cancel terminates the run's worker), the problems next to their
 * controls, the report in a sandboxed frame, the downloads and the volume viewer.
 */

const element = <T extends HTMLElement>(id: string): T => {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`the page has no #${id}`);
  return found as T;
};

const dataFile = element<HTMLInputElement>('data-file');
const covarsFile = element<HTMLInputElement>('covars-file');
const covarsClear = element<HTMLButtonElement>('covars-clear');
const idColumn = element<HTMLSelectElement>('id-column');
const batchColumn = element<HTMLSelectElement>('batch-column');
const categorical = element<HTMLSelectElement>('categorical-columns');
const continuous = element<HTMLSelectElement>('continuous-columns');
const splineColumns = element<HTMLSelectElement>('spline-columns');
const splineDf = element<HTMLInputElement>('spline-df');
const features = element<HTMLSelectElement>('features');
const featuresNotes = element<HTMLUListElement>('features-notes');
const featuresCount = element<HTMLSpanElement>('features-count');
const meanOnly = element<HTMLInputElement>('mean-only');
const refBatch = element<HTMLSelectElement>('ref-batch');
const form = element<HTMLFormElement>('flow');
const runButton = element<HTMLButtonElement>('run');
const cancelButton = element<HTMLButtonElement>('cancel');
const progress = element<HTMLProgressElement>('progress');
const status = element<HTMLParagraphElement>('status');
const results = element<HTMLElement>('results');
const report = element<HTMLIFrameElement>('report');
const downloadTable = element<HTMLAnchorElement>('download-table');
const downloadModel = element<HTMLAnchorElement>('download-model');
const modelFile = element<HTMLInputElement>('model-file');
const imagesFile = element<HTMLInputElement>('images-file');
const imagesFolder = element<HTMLInputElement>('images-folder');
const maskFile = element<HTMLInputElement>('mask-file');
const imageColumn = element<HTMLSelectElement>('image-column');
const newBatches = element<HTMLInputElement>('new-batches');
const modelMode = element<HTMLParagraphElement>('model-mode');
const downloadZip = element<HTMLAnchorElement>('download-zip');
const downloadDiagnostics = element<HTMLAnchorElement>('download-diagnostics');
const viewSubject = element<HTMLSelectElement>('view-subject');
const viewImage = element<HTMLSelectElement>('view-image');
const viewerInfo = element<HTMLParagraphElement>('viewer-info');
const viewer = new VolumeViewer(element<HTMLCanvasElement>('viewer'));

/** The controls each field's problem is shown beside (and focused). */
const CONTROLS: Readonly<Record<Field, HTMLElement>> = {
  'data-file': dataFile,
  'covars-file': covarsFile,
  'model-file': modelFile,
  'images-file': imagesFile,
  'mask-file': maskFile,
  'id-column': idColumn,
  'image-column': imageColumn,
  'batch-column': batchColumn,
  'categorical-columns': categorical,
  'continuous-columns': continuous,
  'spline-columns': splineColumns,
  features,
  'ref-batch': refBatch,
  'new-batches': newBatches,
  run: runButton,
};

/** The run button's words for each task. */
const RUN_LABELS: Readonly<Record<Task, string>> = { table: 'Harmonize', apply: 'Apply the model', volumes: 'Harmonize the volumes' };

const columns: { data: ColumnFacts[] | null; covars: ColumnFacts[] | null } = { data: null, covars: null };
let task: Task = 'table';
let model: ModelFacts | null = null;
let images: File[] = [];
/** Counts the choices of images (a drop, or a button): a drop still being read when a later choice comes is ignored. */
let imageChoices = 0;
let volumeResult: VolumeResult | null = null;
let running: Worker | null = null;
const readers = new Map<'data-file' | 'covars-file' | 'model-file', Worker>();
const objectUrls: string[] = [];

function startWorker(): Worker {
  return new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
}

function showProblem(field: Field, message: string): void {
  const box = element<HTMLParagraphElement>(`${field}-error`);
  box.textContent = message;
  box.hidden = false;
  CONTROLS[field].setAttribute('aria-invalid', 'true');
  CONTROLS[field].focus();
}

function clearProblems(): void {
  for (const [field, control] of Object.entries(CONTROLS)) {
    const box = element<HTMLParagraphElement>(`${field}-error`);
    box.textContent = '';
    box.hidden = true;
    control.removeAttribute('aria-invalid');
  }
}

function setOptions(select: HTMLSelectElement, names: readonly string[], empty?: string): void {
  const chosen = new Set(Array.from(select.selectedOptions, (option) => option.value));
  select.replaceChildren(
    ...(empty === undefined ? [] : [new Option(empty, '')]),
    ...names.map((name) => {
      const option = new Option(name, name);
      option.selected = chosen.has(name);
      return option;
    }),
  );
}

const selected = (select: HTMLSelectElement): string[] => Array.from(select.selectedOptions, (option) => option.value).filter((value) => value !== '');

/** The table that holds the batch and covariates: the covariates table when given, else the data. */
function covariateSource(): ColumnFacts[] {
  return columns.covars ?? columns.data ?? [];
}

/** Fills every picker from the tables (and, to apply, the model) read so far, keeping what is chosen where it still exists. */
function refreshPickers(): void {
  const data = columns.data ?? [];
  const source = covariateSource();
  const dataNames = new Set(data.map((fact) => fact.name));
  setOptions(idColumn, columns.covars === null ? data.map((fact) => fact.name) : source.filter((fact) => dataNames.has(fact.name)).map((fact) => fact.name), '(none)');
  const fromModel = task === 'apply';
  for (const select of [batchColumn, categorical, continuous, features]) select.disabled = fromModel;
  if (fromModel) {
    fillFromModel();
    return;
  }
  setOptions(imageColumn, (columns.covars ?? []).map((fact) => fact.name), '(choose)');
  setOptions(batchColumn, source.map((fact) => fact.name), '(choose)');
  refreshCovariates();
}

/** To apply: the batch, covariates and features are the model's, shown chosen (and not to change); the id stays the user's, the model's by default. */
function fillFromModel(): void {
  const chosen = (select: HTMLSelectElement, names: readonly string[], empty?: string): void => {
    setOptions(select, names, empty);
    for (const option of select.options) option.selected = option.value !== '';
  };
  chosen(batchColumn, model === null ? [] : [model.batch], '(from the model)');
  chosen(categorical, model?.categorical ?? []);
  chosen(continuous, model?.continuous ?? []);
  chosen(features, model?.features ?? []);
  featuresNotes.replaceChildren();
  countFeatures();
  if (model?.idColumn != null && idColumn.value === '' && Array.from(idColumn.options).some((option) => option.value === model?.idColumn)) idColumn.value = model.idColumn;
  checkAgainstModel();
}

/**
 * To apply: the model's columns checked against the tables as soon as both are read, as the run
 * checks them (io-arrow's `requireColumn` on the tables' column names: the same words), the
 * problem shown next to the table that lacks a column.
 */
function checkAgainstModel(): void {
  const data = dataFile.files?.[0];
  if (model === null || columns.data === null || data === undefined) return;
  const named = (facts: readonly ColumnFacts[], source: string) => tableFromColumns(Object.fromEntries(facts.map((fact) => [fact.name, []])), { source });
  const covariates = covarsFile.files?.[0];
  try {
    checkModelColumns(
      named(columns.data, data.name),
      columns.covars === null || covariates === undefined ? null : named(columns.covars, covariates.name),
      model.features,
      { batch: model.batch, categorical: [...model.categorical], continuous: [...model.continuous] },
      idColumn.value === '' ? null : idColumn.value,
    );
  } catch (error) {
    if (!(error instanceof FieldError)) throw error;
    showProblem(error.field, error.message);
  }
}

/** The covariate pickers: the columns of the covariates' table besides the id (or image) and the batch (continuous ones numeric). */
function refreshCovariates(): void {
  if (task === 'apply') return;
  const roles = new Set([task === 'volumes' ? imageColumn.value : idColumn.value, batchColumn.value]);
  const rest = covariateSource().filter((fact) => !roles.has(fact.name));
  setOptions(categorical, rest.map((fact) => fact.name));
  setOptions(continuous, rest.filter((fact) => fact.numeric).map((fact) => fact.name));
  refreshDependents();
}

/** The pickers that depend on the roles chosen: splines, features and the reference batch. */
function refreshDependents(): void {
  if (task === 'apply') return;
  setOptions(splineColumns, selected(continuous));
  const reserved = new Set([...selected(idColumn), ...selected(batchColumn), ...selected(categorical), ...selected(continuous)]);
  const { offered, notes } = offeredFeatures(columns.data ?? [], reserved);
  setOptions(features, offered);
  featuresNotes.replaceChildren(...notes.map((note) => Object.assign(document.createElement('li'), { textContent: note })));
  const batch = covariateSource().find((fact) => fact.name === batchColumn.value);
  setOptions(refBatch, batch?.levels === undefined || batch.levels === null ? [] : [...batch.levels].sort(), '(none)');
  countFeatures();
}

function countFeatures(): void {
  featuresCount.textContent = `${features.selectedOptions.length} of ${features.options.length} chosen`;
}

/** A run of the files chosen before is of no use any more: it is cancelled, and its results hidden. */
function filesChanged(): void {
  if (running !== null) {
    finishRun();
    progress.value = 0;
    status.textContent = 'cancelled: a file changed';
  }
  results.hidden = true;
}

/** Reads a chosen file in a worker of its own and offers its columns. */
function inspect(field: 'data-file' | 'covars-file', file: File | undefined): void {
  filesChanged();
  readers.get(field)?.terminate();
  readers.delete(field);
  clearProblems();
  results.hidden = true;
  element<HTMLParagraphElement>(`${field}-info`).textContent = '';
  if (field === 'data-file') columns.data = null;
  else columns.covars = null;
  covarsClear.hidden = columns.covars === null && covarsFile.files?.length !== 1;
  if (file === undefined) {
    refreshPickers();
    return;
  }
  const worker = startWorker();
  readers.set(field, worker);
  worker.onmessage = (event: MessageEvent<Reply>) => {
    const reply = event.data;
    worker.terminate();
    readers.delete(field);
    if (reply.kind === 'problem') {
      refreshPickers();
      showProblem(reply.problem.field, reply.problem.message);
      return;
    }
    if (reply.kind !== 'columns') return;
    if (field === 'data-file') columns.data = [...reply.columns];
    else columns.covars = [...reply.columns];
    element<HTMLParagraphElement>(`${field}-info`).textContent = `${file.name}: ${reply.rows} rows, ${reply.columns.length} columns`;
    refreshPickers();
  };
  worker.onerror = (error) => {
    worker.terminate();
    readers.delete(field);
    refreshPickers();
    showProblem(field, `${file.name}: could not be read (${error.message || 'the reader stopped'}); choose it again, or another file`);
  };
  worker.postMessage({ kind: 'inspect', field, file } satisfies Request);
}

/** Reads a chosen model file in a worker of its own and fills the pickers from it. */
function inspectModel(file: File | undefined): void {
  filesChanged();
  readers.get('model-file')?.terminate();
  readers.delete('model-file');
  clearProblems();
  model = null;
  element<HTMLParagraphElement>('model-file-info').textContent = '';
  modelMode.textContent = "The model's mode applies (choose the model file).";
  refreshPickers();
  if (file === undefined) return;
  const worker = startWorker();
  readers.set('model-file', worker);
  worker.onmessage = (event: MessageEvent<Reply>) => {
    const reply = event.data;
    worker.terminate();
    readers.delete('model-file');
    if (reply.kind === 'problem') {
      showProblem(reply.problem.field, reply.problem.message);
      return;
    }
    if (reply.kind !== 'model') return;
    model = reply.facts;
    const covariates = [...model.categorical, ...model.continuous];
    element<HTMLParagraphElement>('model-file-info').textContent =
      `${file.name}: ${model.features.length} features; batch column "${model.batch}" (${model.batches.join(', ')})${covariates.length === 0 ? '' : `; covariates ${covariates.map((name) => `"${name}"`).join(', ')}`}`;
    modelMode.textContent = `The model's mode applies: ${model.mode}.`;
    refreshPickers();
  };
  worker.onerror = (error) => {
    worker.terminate();
    readers.delete('model-file');
    showProblem('model-file', `${file.name}: could not be read (${error.message || 'the reader stopped'}); choose it again, or another file`);
  };
  worker.postMessage({ kind: 'inspect-model', file } satisfies Request);
}

/** The images chosen (files, or a folder's NIfTI files), said beside their control. */
function chooseImages(files: readonly File[], from: string): void {
  filesChanged();
  clearProblems();
  images = files.filter((file) => /\.nii(\.gz)?$/i.test(file.name));
  const skipped = files.length - images.length;
  element<HTMLParagraphElement>('images-file-info').textContent =
    files.length === 0 ? '' : `${images.length} NIfTI file${images.length === 1 ? '' : 's'} chosen ${from}${skipped === 0 ? '' : ` (${skipped} other file${skipped === 1 ? '' : 's'} left out)`}`;
}

/** The checks every flow makes of the tables before a run: the data read, and a covariates table chosen but not read never left out. */
function tablesReady(): boolean {
  if (covarsFile.files?.length === 1 && columns.covars === null) {
    showProblem('covars-file', `${covarsFile.files[0]?.name}: not read yet, or refused (see its message); wait for its columns, choose another file, or remove it`);
    return false;
  }
  return true;
}

function applyRequest(): ApplyRequest | null {
  const given = modelFile.files?.[0];
  if (given === undefined || model === null) {
    showProblem('model-file', 'choose the model file: a model.arrow written by combat harmonize --save-model, or downloaded from this page');
    return null;
  }
  const data = dataFile.files?.[0];
  if (data === undefined || columns.data === null) {
    showProblem('data-file', 'choose the data table: a CSV, TSV, Arrow or Feather file with one row per subject');
    return null;
  }
  if (!tablesReady()) return null;
  return { model: given, data, covariates: covarsFile.files?.[0] ?? null, id: idColumn.value === '' ? null : idColumn.value, estimateNewBatches: newBatches.checked };
}

function volumeRequest(): VolumeRequest | null {
  const covariates = covarsFile.files?.[0];
  if (covariates === undefined) {
    showProblem('covars-file', 'choose the covariates table: one row per image, with the column naming its NIfTI file, the batch and the covariates');
    return null;
  }
  if (!tablesReady()) return null;
  if (images.length === 0) {
    showProblem('images-file', 'choose the NIfTI images the covariates table names (or the folder that holds them)');
    return null;
  }
  const mask = maskFile.files?.[0];
  if (mask === undefined) {
    showProblem('mask-file', 'choose the mask: a NIfTI image whose voxels above 0 are harmonized');
    return null;
  }
  return {
    covariates,
    images,
    mask,
    imageColumn: imageColumn.value,
    batch: batchColumn.value,
    categorical: selected(categorical),
    continuous: selected(continuous),
    splines: selected(splineColumns),
    splineDf: Number(splineDf.value),
    mode: (form.elements.namedItem('mode') as RadioNodeList).value as Mode,
    meanOnly: meanOnly.checked,
    refBatch: refBatch.value === '' ? null : refBatch.value,
    dtype: (form.elements.namedItem('dtype') as RadioNodeList).value as 'float32' | 'float64',
  };
}

function runRequest(): RunRequest | null {
  const data = dataFile.files?.[0];
  if (data === undefined || columns.data === null) {
    showProblem('data-file', 'choose the data table: a CSV, TSV, Arrow or Feather file with one row per subject');
    return null;
  }
  // A covariates table chosen but not read (still being read, or refused) is never left out silently.
  if (!tablesReady()) return null;
  const mode = (form.elements.namedItem('mode') as RadioNodeList).value as Mode;
  return {
    data,
    covariates: covarsFile.files?.[0] ?? null,
    id: idColumn.value === '' ? null : idColumn.value,
    batch: batchColumn.value,
    categorical: selected(categorical),
    continuous: selected(continuous),
    splines: selected(splineColumns),
    splineDf: Number(splineDf.value),
    features: selected(features),
    mode,
    meanOnly: meanOnly.checked,
    refBatch: refBatch.value === '' ? null : refBatch.value,
  };
}

function finishRun(): void {
  running?.terminate();
  running = null;
  runButton.disabled = false;
  cancelButton.disabled = true;
}

/** What each download link says, before the file's name. */
const DOWNLOAD_WORDS: Readonly<Record<string, string>> = {
  'download-table': 'Download the harmonized table',
  'download-model': 'Download the model',
  'download-zip': 'Download everything',
  'download-diagnostics': 'Download the diagnostics',
};

/** Points a download link at a file (or hides it when there is none). */
function offer(link: HTMLAnchorElement, file: { name: string; bytes: Uint8Array } | { name: string; blob: Blob } | null, type = 'application/octet-stream'): void {
  link.hidden = file === null || !link.dataset.tasks?.split(' ').includes(task);
  if (file === null) return;
  const url = URL.createObjectURL('blob' in file ? file.blob : new Blob([file.bytes as Uint8Array<ArrayBuffer>], { type }));
  objectUrls.push(url);
  link.href = url;
  link.download = file.name;
  link.textContent = `${DOWNLOAD_WORDS[link.id] ?? 'Download'} (${file.name})`;
}

/** Shows a run's summary and warnings, and clears the links of the run before. */
function showSummary(result: { summary: string; warnings: readonly string[] }): void {
  for (const url of objectUrls.splice(0)) URL.revokeObjectURL(url);
  element<HTMLParagraphElement>('summary').textContent = result.summary;
  element<HTMLUListElement>('warnings').replaceChildren(...result.warnings.map((warning) => Object.assign(document.createElement('li'), { textContent: `warning: ${warning}` })));
}

function showResult(result: RunResult): void {
  showSummary(result);
  offer(downloadTable, result.table);
  offer(downloadModel, result.model, 'application/vnd.apache.arrow.file');
  offer(downloadDiagnostics, result.diagnostics, 'application/json');
  offer(downloadZip, null);
  report.hidden = false;
  report.srcdoc = result.report;
  results.hidden = false;
}

function showApplied(result: ApplyResult): void {
  showSummary(result);
  offer(downloadTable, result.table);
  offer(downloadModel, result.model, 'application/vnd.apache.arrow.file');
  offer(downloadDiagnostics, null);
  offer(downloadZip, null);
  report.hidden = true;
  report.srcdoc = '';
  results.hidden = false;
}

function showVolumes(result: VolumeResult): void {
  showSummary(result);
  volumeResult = result;
  offer(downloadTable, null);
  offer(downloadModel, null);
  offer(downloadZip, result.zip);
  offer(downloadDiagnostics, result.diagnostics, 'application/json');
  viewSubject.replaceChildren(...result.subjects.map((subject, row) => new Option(subject.name, String(row))));
  const maps = result.outputs.filter((output) => output.row === null);
  viewImage.replaceChildren(
    new Option('before harmonization (the input)', 'before'),
    new Option('after harmonization', 'after'),
    ...maps.map((output) => new Option(describeMap(output.name), output.name)),
  );
  report.hidden = false;
  report.srcdoc = result.report;
  results.hidden = false;
  void showInViewer();
}

/** A batch-effect map's file as the viewer lists it: `gammaStar_Scanner_A.nii.gz` is the additive effect of Scanner_A. */
function describeMap(name: string): string {
  const [, kind, batch] = /([a-zA-Z]+)_(.*)\.nii\.gz$/.exec(name) ?? [];
  return kind === 'gammaStar' ? `site effect map: additive (gammaStar) of ${batch}` : `site effect map: scale (deltaStar) of ${batch}`;
}

/** Shows the chosen subject before or after, or the chosen effect map, in the viewer. */
async function showInViewer(): Promise<void> {
  if (volumeResult === null) return;
  const row = Number(viewSubject.value);
  const subject = volumeResult.subjects[row];
  const what = viewImage.value;
  viewSubject.disabled = what !== 'before' && what !== 'after';
  const output = what === 'after' ? volumeResult.outputs.find((candidate) => candidate.row === row) : volumeResult.outputs.find((candidate) => candidate.name === what);
  const [blob, name] = what === 'before' ? [subject?.image, subject?.image.name] : [output && volumeResult.zip.blob.slice(output.start, output.end), output?.name];
  if (blob === undefined || name === undefined) return;
  viewerInfo.textContent = `showing ${what === 'before' ? `${name} (the input)` : name}`;
  try {
    await viewer.show(blob, name, { map: what !== 'before' && what !== 'after' });
  } catch (error) {
    viewerInfo.textContent = `the viewer could not show ${name}: ${error instanceof Error ? error.message : String(error)} (it needs WebGL2)`;
  }
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  if (running !== null) return;
  clearProblems();
  const message = taskRequest();
  if (message === null) return;
  results.hidden = true;
  const worker = startWorker();
  running = worker;
  runButton.disabled = true;
  cancelButton.disabled = false;
  progress.value = 0;
  status.textContent = 'starting';
  worker.onmessage = (message: MessageEvent<Reply>) => {
    const reply = message.data;
    if (reply.kind === 'progress') {
      progress.value = reply.fraction;
      status.textContent = reply.step;
    } else if (reply.kind === 'done' || reply.kind === 'applied' || reply.kind === 'volumes-done') {
      finishRun();
      status.textContent = 'done';
      if (reply.kind === 'done') showResult(reply.result);
      else if (reply.kind === 'applied') showApplied(reply.result);
      else showVolumes(reply.result);
    } else if (reply.kind === 'problem') {
      finishRun();
      progress.value = 0;
      status.textContent = 'stopped: the message beside the control it concerns says why';
      showProblem(reply.problem.field, reply.problem.message);
    }
  };
  worker.onerror = (error) => {
    finishRun();
    showProblem('run', `the run stopped: ${error.message}`);
  };
  worker.postMessage(message);
});

/** The run the chosen task asks of the worker, or null after showing what is missing. */
function taskRequest(): Request | null {
  if (task === 'apply') {
    const request = applyRequest();
    return request === null ? null : { kind: 'apply', request };
  }
  if (task === 'volumes') {
    const request = volumeRequest();
    return request === null ? null : { kind: 'volumes', request };
  }
  const request = runRequest();
  return request === null ? null : { kind: 'run', request };
}

/** Shows the controls of the chosen task (those whose `data-tasks` names it), and fills the pickers for it. */
function showTask(): void {
  task = (form.elements.namedItem('task') as RadioNodeList).value as Task;
  filesChanged();
  clearProblems();
  for (const part of document.querySelectorAll<HTMLElement>('[data-tasks]')) part.hidden = !(part.dataset.tasks ?? '').split(' ').includes(task);
  runButton.textContent = RUN_LABELS[task];
  for (const select of [batchColumn, categorical, continuous, features]) setOptions(select, []);
  refreshPickers();
}

for (const radio of form.querySelectorAll<HTMLInputElement>('input[name="task"]')) radio.addEventListener('change', showTask);
modelFile.addEventListener('change', () => inspectModel(modelFile.files?.[0]));
imagesFile.addEventListener('change', () => {
  imageChoices++;
  imagesFolder.value = '';
  chooseImages([...(imagesFile.files ?? [])], 'as files');
});
imagesFolder.addEventListener('change', () => {
  imageChoices++;
  imagesFile.value = '';
  chooseImages([...(imagesFolder.files ?? [])], 'from the folder');
});
maskFile.addEventListener('change', () => {
  filesChanged();
  clearProblems();
  element<HTMLParagraphElement>('mask-file-info').textContent = maskFile.files?.[0]?.name ?? '';
});
imageColumn.addEventListener('change', refreshCovariates);
newBatches.addEventListener('change', filesChanged);
for (const select of [viewSubject, viewImage]) select.addEventListener('change', () => void showInViewer());

cancelButton.addEventListener('click', () => {
  finishRun();
  progress.value = 0;
  status.textContent = 'cancelled';
  runButton.focus();
});

dataFile.addEventListener('change', () => inspect('data-file', dataFile.files?.[0]));
covarsFile.addEventListener('change', () => inspect('covars-file', covarsFile.files?.[0]));
covarsClear.addEventListener('click', () => {
  covarsFile.value = '';
  inspect('covars-file', undefined);
  covarsFile.focus();
});
for (const select of [idColumn, batchColumn]) select.addEventListener('change', refreshCovariates);
idColumn.addEventListener('change', () => {
  if (task !== 'apply') return;
  clearProblems();
  checkAgainstModel();
});
for (const select of [categorical, continuous]) select.addEventListener('change', refreshDependents);
features.addEventListener('change', countFeatures);
element<HTMLButtonElement>('features-all').addEventListener('click', () => {
  for (const option of features.options) option.selected = true;
  countFeatures();
});
element<HTMLButtonElement>('features-none').addEventListener('click', () => {
  for (const option of features.options) option.selected = false;
  countFeatures();
});

/** Images dropped on their area, folders included (their files read, to any depth): chosen as the folder button chooses them. */
function dropImages(transfer: DataTransfer): void {
  const entries = droppedEntries(transfer);
  if (entries === null) {
    imagesFile.files = transfer.files;
    imagesFile.dispatchEvent(new Event('change'));
    return;
  }
  const ticket = ++imageChoices;
  const from = entries.some((entry) => entry.isDirectory) ? 'from the dropped folder' : 'as files';
  imagesFile.value = '';
  imagesFolder.value = '';
  element<HTMLParagraphElement>('images-file-info').textContent = `reading the files dropped${from === 'as files' ? '' : ' and their folders'}`;
  entryFiles(entries).then(
    (files) => {
      if (ticket === imageChoices) chooseImages(files, from);
    },
    (error: unknown) => {
      if (ticket !== imageChoices) return;
      chooseImages([], from);
      showProblem('images-file', `the dropped files could not be read (${error instanceof Error ? error.message : String(error)}); drop them again, or choose them with the buttons`);
    },
  );
}

/** A file dropped on a drop area goes to its file input, as if chosen (the images' area takes folders too). */
for (const [zone, input] of [
  ['data-drop', dataFile],
  ['covars-drop', covarsFile],
  ['model-drop', modelFile],
  ['images-drop', imagesFile],
  ['mask-drop', maskFile],
] as const) {
  const area = element<HTMLDivElement>(zone);
  area.addEventListener('dragover', (event) => {
    event.preventDefault();
    area.classList.add('over');
  });
  area.addEventListener('dragleave', () => area.classList.remove('over'));
  area.addEventListener('drop', (event) => {
    event.preventDefault();
    area.classList.remove('over');
    const transfer = event.dataTransfer;
    if (transfer === null || transfer.files.length === 0) return;
    if (input === imagesFile) {
      dropImages(transfer);
      return;
    }
    input.files = transfer.files;
    input.dispatchEvent(new Event('change'));
  });
}

showTask();
