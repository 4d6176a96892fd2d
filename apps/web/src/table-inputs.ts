import { covarsClear, covarsFile, dataFile, element } from './controls.js';
import { startWorker } from './page-worker.js';
import { state } from './page-state.js';
import { refreshPickers } from './pickers.js';
import { clearProblems, showProblem } from './problems.js';
import type { Reply, Request } from './protocol.js';
import { filesChanged } from './run-controls.js';

/** The data and covariates tables chosen: each read in a worker of its own, its columns offered to the pickers. */

const readers = new Map<'data-file' | 'covars-file', Worker>();

/** Reads a chosen file in a worker of its own and offers its columns. */
function inspect(field: 'data-file' | 'covars-file', file: File | undefined): void {
  filesChanged();
  readers.get(field)?.terminate();
  readers.delete(field);
  clearProblems();
  element<HTMLParagraphElement>(`${field}-info`).textContent = '';
  if (field === 'data-file') state.columns.data = null;
  else state.columns.covars = null;
  covarsClear.hidden = state.columns.covars === null && covarsFile.files?.length !== 1;
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
    if (field === 'data-file') state.columns.data = [...reply.columns];
    else state.columns.covars = [...reply.columns];
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

/** The checks every flow makes of the tables before a run: the data read, and a covariates table chosen but not read never left out. */
export function tablesReady(): boolean {
  if (covarsFile.files?.length === 1 && state.columns.covars === null) {
    showProblem('covars-file', `${covarsFile.files[0]?.name}: not read yet, or refused (see its message); wait for its columns, choose another file, or remove it`);
    return false;
  }
  return true;
}

/** Listens to the tables' controls: a table chosen is read; the covariates table can be removed. */
export function listenToTables(): void {
  dataFile.addEventListener('change', () => inspect('data-file', dataFile.files?.[0]));
  covarsFile.addEventListener('change', () => inspect('covars-file', covarsFile.files?.[0]));
  covarsClear.addEventListener('click', () => {
    covarsFile.value = '';
    inspect('covars-file', undefined);
    covarsFile.focus();
  });
}
