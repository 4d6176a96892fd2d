/// <reference lib="webworker" />
import { modelFacts, readModelFile, runApply } from './apply-run.js';
import { columnFacts } from './columns.js';
import { asProblem, toProblem } from './explain.js';
import { readTable, runHarmonization } from './harmonize-run.js';
import type { Field, Reply, Request } from './protocol.js';
import { runVolumes } from './volume-run.js';

/**
 * The page's module worker: reads a file to offer its columns (or a model file to fill the
 * pickers from), or runs a flow (harmonize a table, apply a model, harmonize volumes), and posts
 * back progress, the result (its buffers transferred) or a problem for a control. The page
 * cancels a run by terminating the worker.
 */
const scope = self as unknown as DedicatedWorkerGlobalScope;

function post(reply: Reply, transfer: Transferable[] = []): void {
  scope.postMessage(reply, transfer);
}

/** The control a request's unexpected failure is shown next to. */
function fieldOf(message: Request): Field {
  if (message.kind === 'inspect') return message.field;
  if (message.kind === 'inspect-model') return 'model-file';
  return 'run';
}

scope.onmessage = async (event: MessageEvent<Request>) => {
  const message = event.data;
  const progress = (step: string, fraction: number): void => post({ kind: 'progress', step, fraction });
  try {
    if (message.kind === 'inspect') {
      const table = await readTable(message.file, message.field);
      post({ kind: 'columns', field: message.field, rows: table.rows, columns: columnFacts(table) });
    } else if (message.kind === 'inspect-model') {
      post({ kind: 'model', facts: modelFacts(await readModelFile(message.file)) });
    } else if (message.kind === 'run') {
      const result = await runHarmonization(message.request, progress);
      post({ kind: 'done', result }, [result.table.bytes.buffer as ArrayBuffer, result.model.bytes.buffer as ArrayBuffer, result.diagnostics.bytes.buffer as ArrayBuffer]);
    } else if (message.kind === 'apply') {
      const result = await runApply(message.request, progress);
      post({ kind: 'applied', result }, [result.table.bytes.buffer as ArrayBuffer, ...(result.model === null ? [] : [result.model.bytes.buffer as ArrayBuffer])]);
    } else {
      const result = await runVolumes(message.request, progress);
      post({ kind: 'volumes-done', result }, [result.diagnostics.bytes.buffer as ArrayBuffer]);
    }
  } catch (error) {
    post({ kind: 'problem', problem: toProblem(asProblem(error, fieldOf(message))) });
  }
};
