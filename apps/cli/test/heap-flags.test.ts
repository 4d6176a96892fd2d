import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { temporaryFolder } from '@combat/test-support';
import { describe, expect, it } from 'vitest';
import { COMBAT } from './run-cli.js';
import { HEAP_FLAGS, SMALL_TABLE, TABLE_FLAG, dataFileBytes, heapFlags } from '../src/heap-flags.js';

// `combat` keeps V8's young generations at their starting size (src/heap-flags.ts), its own and its
// workers', unless node was given the flag. Seen from inside: the size of the young generation
// ("new_space") after allocating about 100 MB of short-lived objects, on the main thread and on a
// worker started afterwards. V8's own heuristics let both grow to 32 MB here; 2 MB is the start.

const CHURN = `let keep = []; for (let i = 0; i < 2e6; i++) { keep.push({ i, s: 'x' + i }); if (keep.length > 5e4) keep = []; }`;
const YOUNG = `require('node:v8').getHeapSpaceStatistics().find((space) => space.space_name === 'new_space').space_size`;

/** The young generation's size on the main thread and on a worker, in a node given `nodeFlags`, having called setHeapFlags for `combat`'s arguments `args`. */
async function youngGenerations(nodeFlags: string[], env: NodeJS.ProcessEnv = {}, args: string[] = ['harmonize-volumes']): Promise<{ main: number; worker: number }> {
  const dir = await temporaryFolder('heap-flags');
  const script = join(dir, 'probe.cjs');
  const heapFlags = pathToFileURL(join(dirname(COMBAT), 'heap-flags.js')).href;
  await writeFile(
    script,
    `const { Worker } = require('node:worker_threads');
import(${JSON.stringify(heapFlags)}).then(async ({ setHeapFlags }) => {
  setHeapFlags(${JSON.stringify(args)});
  ${CHURN}
  const main = ${YOUNG};
  const worker = await new Promise((resolve, reject) => {
    const thread = new Worker(${JSON.stringify(`${CHURN}; require('node:worker_threads').parentPort.postMessage(${YOUNG})`)}, { eval: true });
    thread.once('message', (size) => thread.terminate().then(() => resolve(size)));
    thread.once('error', reject);
  });
  console.log(JSON.stringify({ main, worker }));
});
`,
  );
  const child = spawnSync(process.execPath, [...nodeFlags, script], { encoding: 'utf8', env: { ...process.env, ...env } });
  expect(child.stderr).toBe('');
  return JSON.parse(child.stdout) as { main: number; worker: number };
}

const MB = 2 ** 20;

describe('setHeapFlags', () => {
  it('keeps the young generation of the main thread and of its workers at 2 MB', async () => {
    const { main, worker } = await youngGenerations([]);
    const table = await youngGenerations([], {}, ['harmonize', '--data', 'table.csv']);
    expect(table.main).toBeLessThanOrEqual(2 * MB);
    expect(table.worker).toBeLessThanOrEqual(2 * MB);
    expect(main).toBeLessThanOrEqual(2 * MB);
    expect(worker).toBeLessThanOrEqual(2 * MB);
  });

  it('leaves a flag given to node alone (on its command line, or --max-semi-space-size in NODE_OPTIONS)', async () => {
    const growing = await youngGenerations(['--semi-space-growth-factor=2']);
    expect(growing.main).toBeGreaterThan(8 * MB);
    expect(growing.worker).toBeLessThanOrEqual(2 * MB);
    const large = await youngGenerations([], { NODE_OPTIONS: '--max-semi-space-size=16' });
    expect(large.main).toBeLessThanOrEqual(2 * MB);
    expect(large.worker).toBeGreaterThan(8 * MB);
  });
});

describe('heapFlags', () => {
  it('trades speed for a smaller heap in runs that read small tables, not in those that read large ones or volumes', () => {
    for (const args of [['harmonize', '--data', 'demo.csv'], ['apply', '--model', 'm.arrow'], ['fit-partial', '--data', 't.csv'], ['merge', 'a.arrow'], ['report', '--data', 't.csv'], ['model', 'show', 'm.arrow'], []]) {
      expect(heapFlags(args)).toEqual([...HEAP_FLAGS, TABLE_FLAG]);
      expect(heapFlags(args, SMALL_TABLE)).toEqual([...HEAP_FLAGS, TABLE_FLAG]);
      expect(heapFlags(args, SMALL_TABLE + 1)).toEqual([...HEAP_FLAGS]);
    }
    for (const args of [['harmonize-volumes', '--mask', 'm.nii'], ['apply-volumes'], ['demo'], ['fit-partial', '--image-column', 'image'], ['report', '--image-column=image']]) {
      expect(heapFlags(args)).toEqual([...HEAP_FLAGS]);
    }
  });

  it('reads the size of the --data file, given either way, and none of a missing one', async () => {
    const dir = await temporaryFolder('heap-flags-data');
    const table = join(dir, 'table.csv');
    await writeFile(table, 'a,b\n1,2\n');
    expect(dataFileBytes(['harmonize', '--data', table, '--batch', 'b'])).toBe(8);
    expect(dataFileBytes(['apply', `--data=${table}`])).toBe(8);
    expect(dataFileBytes(['harmonize', '--data', join(dir, 'missing.csv')])).toBeUndefined();
    expect(dataFileBytes(['merge', 'a.arrow'])).toBeUndefined();
  });
});
