/// <reference lib="webworker" />
import { columnFacts } from './columns.js';
import { asProblem, toProblem } from './explain.js';
import { readTable, runHarmonization } from './harmonize-run.js';
import type { Reply, Request } from './protocol.js';

/**
 * The page's module worker: reads a file to offer its columns, or runs the table flow, and posts
 * back progress, the result (its buffers transferred) or a problem for a control. The page
 * cancels a run by terminating the worker.
 */
const scope = self as unknown as DedicatedWorkerGlobalScope;

function post(reply: Reply, transfer: Transferable[] = []): void {
  scope.postMessage(reply, transfer);
}

scope.onmessage = async (event: MessageEvent<Request>) => {
  const message = event.data;
  try {
    if (message.kind === 'inspect') {
      const table = await readTable(message.file, message.field);
      post({ kind: 'columns', field: message.field, rows: table.rows, columns: columnFacts(table) });
      return;
    }
    const result = await runHarmonization(message.request, (step, fraction) => post({ kind: 'progress', step, fraction }));
    post({ kind: 'done', result }, [result.table.bytes.buffer as ArrayBuffer, result.model.bytes.buffer as ArrayBuffer]);
  } catch (error) {
    post({ kind: 'problem', problem: toProblem(asProblem(error, message.kind === 'inspect' ? message.field : 'run')) });
  }
};
