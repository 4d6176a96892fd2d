import workerpool from 'workerpool';

/** Whether this runs under Node (worker threads) rather than in a browser (Web Workers). */
export const IN_NODE = (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node !== undefined;

/**
 * A pool of `threads` workers running worker.ts, started at once (each warms up before its first
 * task): worker threads under Node, module Web Workers in a browser.
 */
export function startPool(threads: number): workerpool.Pool {
  // From the TypeScript sources (this repository's tests and `pnpm combat`), the worker loads them
  // through tsx; from the build, the worker's own JavaScript.
  const fromSource = import.meta.url.endsWith('.ts');
  const script = new URL(fromSource ? './worker.ts' : './worker.js', import.meta.url).href;
  if (IN_NODE) {
    const load = fromSource
      ? `import(${JSON.stringify((import.meta as ImportMeta & { resolve(specifier: string): string }).resolve('tsx/esm/api'))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(script)}); })`
      : `import(${JSON.stringify(script)})`;
    return workerpool.pool(load, { workerType: 'thread', minWorkers: threads, maxWorkers: threads, workerThreadOpts: { eval: true, execArgv: fromSource ? ['--conditions=source'] : [] } });
  }
  return workerpool.pool(script, { workerType: 'web', minWorkers: threads, maxWorkers: threads, workerOpts: { type: 'module' } });
}
