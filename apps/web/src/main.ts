import { offeredFeatures, type ColumnFacts } from './columns.js';
import type { Field, Mode, Reply, Request, RunRequest, RunResult } from './protocol.js';

/**
 * The page: the table flow's controls, a worker per file read and per run (the page stays
 * responsive; cancel terminates the run's worker), the problems next to their controls, the
 * report in a sandboxed frame and the downloads.
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

/** The controls each field's problem is shown beside (and focused). */
const CONTROLS: Readonly<Record<Field, HTMLElement>> = {
  'data-file': dataFile,
  'covars-file': covarsFile,
  'id-column': idColumn,
  'batch-column': batchColumn,
  'categorical-columns': categorical,
  'continuous-columns': continuous,
  'spline-columns': splineColumns,
  features,
  'ref-batch': refBatch,
  run: runButton,
};

const columns: { data: ColumnFacts[] | null; covars: ColumnFacts[] | null } = { data: null, covars: null };
let running: Worker | null = null;
const readers = new Map<'data-file' | 'covars-file', Worker>();
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

/** Fills every picker from the tables read so far, keeping what is chosen where it still exists. */
function refreshPickers(): void {
  const data = columns.data ?? [];
  const source = covariateSource();
  const dataNames = new Set(data.map((fact) => fact.name));
  setOptions(idColumn, columns.covars === null ? data.map((fact) => fact.name) : source.filter((fact) => dataNames.has(fact.name)).map((fact) => fact.name), '(none)');
  setOptions(batchColumn, source.map((fact) => fact.name), '(choose)');
  refreshCovariates();
}

/** The covariate pickers: the columns of the covariates' table besides the id and the batch (continuous ones numeric). */
function refreshCovariates(): void {
  const roles = new Set([idColumn.value, batchColumn.value]);
  const rest = covariateSource().filter((fact) => !roles.has(fact.name));
  setOptions(categorical, rest.map((fact) => fact.name));
  setOptions(continuous, rest.filter((fact) => fact.numeric).map((fact) => fact.name));
  refreshDependents();
}

/** The pickers that depend on the roles chosen: splines, features and the reference batch. */
function refreshDependents(): void {
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

/** Reads a chosen file in a worker of its own and offers its columns. */
function inspect(field: 'data-file' | 'covars-file', file: File | undefined): void {
  // A run of the files chosen before is of no use any more.
  if (running !== null) {
    finishRun();
    progress.value = 0;
    status.textContent = 'cancelled: a file changed';
  }
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

function runRequest(): RunRequest | null {
  const data = dataFile.files?.[0];
  if (data === undefined || columns.data === null) {
    showProblem('data-file', 'choose the data table: a CSV, TSV, Arrow or Feather file with one row per subject');
    return null;
  }
  // A covariates table chosen but not read (still being read, or refused) is never left out silently.
  if (covarsFile.files?.length === 1 && columns.covars === null) {
    showProblem('covars-file', `${covarsFile.files[0]?.name}: not read yet, or refused (see its message); wait for its columns, choose another file, or remove it`);
    return null;
  }
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

function offer(link: HTMLAnchorElement, file: { name: string; bytes: Uint8Array }, type: string): void {
  const url = URL.createObjectURL(new Blob([file.bytes as Uint8Array<ArrayBuffer>], { type }));
  objectUrls.push(url);
  link.href = url;
  link.download = file.name;
  link.textContent = `${link.id === 'download-table' ? 'Download the harmonized table' : 'Download the model'} (${file.name})`;
}

function showResult(result: RunResult): void {
  for (const url of objectUrls.splice(0)) URL.revokeObjectURL(url);
  element<HTMLParagraphElement>('summary').textContent = result.summary;
  element<HTMLUListElement>('warnings').replaceChildren(...result.warnings.map((warning) => Object.assign(document.createElement('li'), { textContent: `warning: ${warning}` })));
  offer(downloadTable, result.table, 'application/octet-stream');
  offer(downloadModel, result.model, 'application/vnd.apache.arrow.file');
  report.srcdoc = result.report;
  results.hidden = false;
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  if (running !== null) return;
  clearProblems();
  const request = runRequest();
  if (request === null) return;
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
    } else if (reply.kind === 'done') {
      finishRun();
      status.textContent = 'done';
      showResult(reply.result);
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
  worker.postMessage({ kind: 'run', request } satisfies Request);
});

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

/** A file dropped on a drop area goes to its file input, as if chosen. */
for (const [zone, input] of [
  ['data-drop', dataFile],
  ['covars-drop', covarsFile],
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
    const files = event.dataTransfer?.files;
    if (files === undefined || files.length === 0) return;
    input.files = files;
    input.dispatchEvent(new Event('change'));
  });
}
