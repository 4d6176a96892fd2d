import { cancelButton, form, progress, results, runButton, status } from './controls.js';
import { startWorker } from './page-worker.js';
import { clearProblems, showProblem } from './problems.js';
import type { Reply, Request } from './protocol.js';
import { showApplied, showResult, showVolumes } from './results.js';

/** The run: started by the form's submit in a worker of its own, its progress shown, cancelled by terminating the worker. */

let running: Worker | null = null;

function finishRun(): void {
  running?.terminate();
  running = null;
  runButton.disabled = false;
  cancelButton.disabled = true;
}

/** A run of the files chosen before is of no use any more: it is cancelled, and its results hidden. */
export function filesChanged(): void {
  if (running !== null) {
    finishRun();
    progress.value = 0;
    status.textContent = 'cancelled: a file changed';
  }
  results.hidden = true;
}

/** Listens to the run and cancel buttons: a run sends what `request` asks of the worker (null: a problem is shown, nothing runs). */
export function listenToRun(request: () => Request | null): void {
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (running !== null) return;
    clearProblems();
    const message = request();
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
  cancelButton.addEventListener('click', () => {
    finishRun();
    progress.value = 0;
    status.textContent = 'cancelled';
    runButton.focus();
  });
}
