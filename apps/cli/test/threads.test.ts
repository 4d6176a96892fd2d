import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../src/cli-io.js';
import { THREADED_CELLS, threadsFlag, withCombatThreads } from '../src/threads-flag.js';
import { temporaryFolder } from '@combat/test-support';
import { ROI, ROI_FLAGS, SEED, VOLUME_FLAGS, filesBelow, seedCopy, seedWithOverflow, writtenFiles } from './helpers.js';
import { runCli, runCliWith } from './run-cli.js';



describe('--threads', () => {
  it('takes a whole number from 1 to 1024, and refuses anything else', () => {
    for (const [value, threads] of [['1', 1], ['2', 2], [' 3 ', 3], ['1024', 1024]] as const) expect(threadsFlag(value)).toBe(threads);
    for (const value of ['0', '1025', '-1', '1.5', '2e3', 'all', '']) {
      expect(() => threadsFlag(value), value).toThrow(UsageError);
      expect(() => threadsFlag(value), value).toThrow(`--threads: expected a whole number from 1 to 1024; received "${value}"`);
    }
  });

  it('gives a table one thread by default when it is small, every core when it is large, and what --threads says', async () => {
    const used = (flags: { threads?: number }, cells: number) => withCombatThreads(flags, cells, async (threads) => threads.threads);
    expect(await used({}, THREADED_CELLS - 1)).toBe(1);
    expect(await used({}, THREADED_CELLS)).toBe(availableParallelism());
    expect(await used({ threads: 3 }, 10)).toBe(3);
  });

  it('writes the same bytes with 1 (no worker), 2 and 3 threads: tables in chunks of a few rows, models, statistics', async () => {
    const dir = await temporaryFolder('threads-tables');
    // Chunks of about 3 kB: a few rows of the 120-feature table, so each pass sees many.
    const chunked = { env: { COMBAT_CHUNK_BYTES: '3000' } };
    const runs: Buffer[][] = [];
    for (const threads of ['1', '2', '3']) {
      const out = (name: string) => join(dir, `${threads}-${name}`);
      const results = [
        await runCliWith(chunked, 'harmonize', '--data', ROI, ...ROI_FLAGS, '--non-parametric', '--out', out('harmonized.csv'), '--save-model', out('model.arrow'), '--threads', threads),
        await runCliWith(chunked, 'apply', '--model', out('model.arrow'), '--data', ROI, '--out', out('applied.arrow'), '--threads', threads),
        await runCliWith(chunked, 'fit-partial', '--data', ROI, ...ROI_FLAGS, '--out', out('stats.arrow'), '--threads', threads),
      ];
      for (const result of results) expect([result.code, result.stderr]).toEqual([0, '']);
      runs.push(await Promise.all(['harmonized.csv', 'model.arrow', 'applied.arrow', 'stats.arrow'].map((name) => readFile(out(name)))));
    }
    for (const run of runs.slice(1)) run.forEach((bytes, i) => expect(bytes.equals(runs[0]![i]!), `file ${i}`).toBe(true));
  });

  it('refuses a bad value with a usage error in every table command, writing nothing', async () => {
    const dir = await temporaryFolder('threads-bad-tables');
    for (const run of [
      ['harmonize', '--data', ROI, ...ROI_FLAGS, '--out', join(dir, 'out.csv')],
      ['apply', '--model', join(dir, 'model.arrow'), '--data', ROI, '--out', join(dir, 'out.csv')],
      ['fit-partial', '--data', ROI, ...ROI_FLAGS, '--out', join(dir, 'stats.arrow')],
    ]) {
      const result = await runCli(...run, '--threads', '2.5');
      expect(result.code, run[0]).toBe(2);
      expect(result.stderr).toMatch(/^combat: usage error: .*--threads: expected a whole number from 1 to 1024; received "2\.5"\n/);
    }
    expect(await filesBelow(dir)).toEqual([]);
  });

  it('refuses a bad value with a usage error in every volume command, writing nothing', async () => {
    const dir = await seedCopy('bad-threads');
    const before = await filesBelow(dir);
    const runs = [
      ['harmonize-volumes', ...VOLUME_FLAGS, '--out-dir', join(dir, 'out')],
      ['apply-volumes', '--model', join(dir, 'model.arrow'), '--covariates', join(SEED, 'covars.csv'), '--image-column', 'path', '--out-dir', join(dir, 'out')],
      ['fit-partial', ...VOLUME_FLAGS, '--out', join(dir, 'stats.arrow')],
    ];
    for (const run of runs) {
      const result = await runCli(...run, '--threads', '0');
      expect(result.code, run[0]).toBe(2);
      expect(result.stderr).toMatch(/^combat: usage error: .*--threads: expected a whole number from 1 to 1024; received "0"\n/);
    }
    expect(await filesBelow(dir)).toEqual(before);
  });

  it('writes the same bytes with 1 (no worker), 2 and 3 threads: volumes, effect maps, models, statistics', async () => {
    const dir = await seedCopy('threads-same');
    const runs: Map<string, Buffer>[] = [];
    for (const threads of ['1', '2', '3']) {
      const out = join(dir, `out-${threads}`);
      const model = join(out, 'model.arrow');
      await mkdir(out);
      const fit = await runCli('harmonize-volumes', ...VOLUME_FLAGS, '--out-dir', join(out, 'fit'), '--save-model', model, '--effect-maps', '--quiet', '--threads', threads);
      expect(fit.stderr).toBe('');
      expect(fit.code).toBe(0);
      const flags = ['--covariates', join(SEED, 'covars.csv'), '--image-column', 'path', '--quiet', '--threads', threads];
      expect((await runCli('apply-volumes', '--model', model, '--out-dir', join(out, 'applied'), '--dtype', 'float64', ...flags)).code).toBe(0);
      const partial = await runCli('fit-partial', ...VOLUME_FLAGS, '--out', join(out, 'stats.arrow'), '--quiet', '--threads', threads);
      expect(partial.code).toBe(0);
      const files = new Map<string, Buffer>();
      for (const folder of ['fit', 'applied']) for (const [name, bytes] of await writtenFiles(join(out, folder))) files.set(`${folder}/${name}`, bytes);
      for (const name of ['model.arrow', 'stats.arrow']) files.set(name, await readFile(join(out, name)));
      runs.push(files);
    }
    // 24 volumes and 6 effect maps, 24 applied volumes, the model and the statistics.
    expect(runs[0]!.size).toBe(24 + 6 + 24 + 2);
    for (const run of runs.slice(1)) {
      expect([...run.keys()]).toEqual([...runs[0]!.keys()]);
      for (const [name, bytes] of run) expect(bytes.equals(runs[0]!.get(name)!), name).toBe(true);
    }
  });

  it('a volume that is not a NIfTI image stops the run with the same message whatever the threads, leaving nothing behind', async () => {
    const dir = await seedCopy('threads-bad-volume');
    await writeFile(join(dir, 'images', 'sub-17.nii.gz'), (await readFile(join(dir, 'images', 'sub-17.nii.gz'))).subarray(0, 300));
    const before = await filesBelow(dir);
    const messages = new Set<string>();
    for (const threads of ['1', '2', '3']) {
      for (const run of [['harmonize-volumes', '--out-dir', join(dir, 'out')], ['fit-partial', '--out', join(dir, 'stats.arrow')]]) {
        const flags = ['--covariates', join(dir, 'covars.csv'), '--image-column', 'path', '--batch', 'site', '--continuous', 'age', '--mask', join(dir, 'mask.nii.gz')];
        const result = await runCli(run[0]!, ...flags, ...run.slice(1), '--threads', threads);
        expect(result.code).toBe(1);
        expect(result.stderr).toMatch(/^combat: error: .*sub-17\.nii\.gz: .*corrupt gzip data/);
        messages.add(`${run[0]} ${result.stderr}`);
      }
    }
    expect(messages.size).toBe(2);
    expect(await filesBelow(dir)).toEqual(before);
  });

  it('a missing image, and an output float32 cannot hold, give the same errors on threads, leaving nothing behind', async () => {
    const dir = await seedWithOverflow('threads-errors');
    const flags = ['--covariates', join(dir, 'covars.csv'), '--image-column', 'path', '--batch', 'site', '--continuous', 'age', '--mask', join(dir, 'mask.nii.gz'), '--out-dir', join(dir, 'out')];
    const before = await filesBelow(dir);
    const overflow = [await runCli('harmonize-volumes', ...flags, '--threads', '1'), await runCli('harmonize-volumes', ...flags, '--threads', '2')];
    for (const result of overflow) {
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^combat: error: .*out\/sub-24\.nii\.gz: voxel \(4, 4, 3\) is [\d.e+]+, beyond float32's range .*; use --dtype float64\n$/);
    }
    expect(overflow[1]!.stderr).toBe(overflow[0]!.stderr);
    expect(await filesBelow(dir)).toEqual(before);
    const table = await readFile(join(dir, 'covars.csv'), 'utf8');
    await writeFile(join(dir, 'covars.csv'), table.replace('sub-05.nii.gz', 'sub-99.nii.gz'));
    const missing = [await runCli('harmonize-volumes', ...flags, '--threads', '1'), await runCli('harmonize-volumes', ...flags, '--threads', '2')];
    for (const result of missing) {
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^combat: error: .*sub-99\.nii\.gz: cannot be read: ENOENT/);
    }
    expect(missing[1]!.stderr).toBe(missing[0]!.stderr);
  });
});
