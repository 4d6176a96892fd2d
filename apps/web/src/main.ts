import { applyRequest, listenToModel } from './apply-task.js';
import { batchColumn, categorical, continuous, features, form, runButton } from './controls.js';
import { listenToDrops } from './drop-areas.js';
import { state } from './page-state.js';
import { listenToPickers, refreshPickers, setOptions } from './pickers.js';
import { clearProblems } from './problems.js';
import type { Request, Task } from './protocol.js';
import { filesChanged, listenToRun } from './run-controls.js';
import { listenToTables } from './table-inputs.js';
import { runRequest } from './table-task.js';
import { listenToViewer } from './viewer-controls.js';
import { listenToVolumes, volumeRequest } from './volume-task.js';

/**
 * The page: three tasks on one form (harmonize a table, apply a saved model, harmonize volumes;
 * each shows the controls marked `data-tasks` with its name), a worker per file read and per run
 * (the page stays responsive; cancel terminates the run's worker), the problems next to their
 * controls, the report in a sandboxed frame, the downloads and the volume viewer.
 */

/** The run button's words for each task. */
const RUN_LABELS: Readonly<Record<Task, string>> = { table: 'Harmonize', apply: 'Apply the model', volumes: 'Harmonize the volumes' };

/** The run the chosen task asks of the worker, or null after showing what is missing. */
function taskRequest(): Request | null {
  if (state.task === 'apply') {
    const request = applyRequest();
    return request === null ? null : { kind: 'apply', request };
  }
  if (state.task === 'volumes') {
    const request = volumeRequest();
    return request === null ? null : { kind: 'volumes', request };
  }
  const request = runRequest();
  return request === null ? null : { kind: 'run', request };
}

/** Shows the controls of the chosen task (those whose `data-tasks` names it), and fills the pickers for it. */
function showTask(): void {
  state.task = (form.elements.namedItem('task') as RadioNodeList).value as Task;
  filesChanged();
  clearProblems();
  for (const part of document.querySelectorAll<HTMLElement>('[data-tasks]')) part.hidden = !(part.dataset.tasks ?? '').split(' ').includes(state.task);
  runButton.textContent = RUN_LABELS[state.task];
  for (const select of [batchColumn, categorical, continuous, features]) setOptions(select, []);
  refreshPickers();
}

listenToRun(taskRequest);
for (const radio of form.querySelectorAll<HTMLInputElement>('input[name="task"]')) radio.addEventListener('change', showTask);
listenToTables();
listenToModel();
listenToVolumes();
listenToPickers();
listenToViewer();
listenToDrops();
showTask();
