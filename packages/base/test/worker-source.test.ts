import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { workerThreadSource } from '../src/internal.js';

describe('workerThreadSource', () => {
  it('from the build: imports the worker JavaScript beside the module, with no node flags', () => {
    expect(workerThreadSource('file:///app/dist/pool.js', 'worker')).toEqual({ code: 'import("file:///app/dist/worker.js")', execArgv: [] });
  });

  it('from the sources: registers tsx, then imports the TypeScript worker with the source condition', () => {
    const { code, execArgv } = workerThreadSource('file:///app/src/pool.ts', 'nifti-worker');
    expect(code).toMatch(/^import\("file:\/\/\/.*tsx\/.*"\)\.then\(\(tsx\) => \{ tsx\.register\(\); return import\("file:\/\/\/app\/src\/nifti-worker\.ts"\); \}\)$/);
    expect(execArgv).toEqual(['--conditions=source']);
  });

  it('gives code a worker thread runs: a TypeScript module beside this test, loaded through tsx', async () => {
    const { code, execArgv } = workerThreadSource(import.meta.url.replace(/[^/]*$/, 'here.ts'), 'worker-source-probe');
    const worker = new Worker(`${code}.then((probe) => require('node:worker_threads').parentPort.postMessage(probe.answer))`, { eval: true, execArgv });
    const answer = await new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    expect(answer).toBe(42);
  });
});
