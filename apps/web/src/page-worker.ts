/** Starts the page's worker (`worker.ts`, a module worker): one per file read and per run. */
export function startWorker(): Worker {
  return new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
}
