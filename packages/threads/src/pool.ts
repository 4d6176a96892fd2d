import { workerThreadSource } from '@combat/base/internal';
import workerpool from 'workerpool';

/** Whether this runs under Node (worker threads) rather than in a browser (Web Workers). */
export const IN_NODE = (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node !== undefined;

/**
 * A pool of `threads` workers running worker.ts, started at once (each warms up before its first
 * task): worker threads under Node, module Web Workers in a browser.
 */
export function startPool(threads: number): workerpool.Pool {
  if (IN_NODE) {
    const { code, execArgv } = workerThreadSource(import.meta.url, 'worker');
    return workerpool.pool(code, { workerType: 'thread', minWorkers: threads, maxWorkers: threads, workerThreadOpts: { eval: true, execArgv } });
  }
  const script = new URL(import.meta.url.endsWith('.ts') ? './worker.ts' : './worker.js', import.meta.url).href;
  return workerpool.pool(script, { workerType: 'web', minWorkers: threads, maxWorkers: threads, workerOpts: { type: 'module' } });
}
