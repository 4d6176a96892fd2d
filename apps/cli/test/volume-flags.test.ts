import { join } from 'node:path';
import { constants, gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../src/cli-io.js';
import { gzipLevelFlag, memoryBudgetFlag } from '../src/volume-flags.js';
import { SEED, VOLUME_FLAGS, filesBelow, seedCopy, seedWithOverflow, writtenFiles } from './helpers.js';
import { runCli } from './run-cli.js';



describe('--memory-budget and --gzip-level', () => {
  it('reads sizes in bytes or with a unit (powers of 1024), and refuses anything else', () => {
    const accepted: [string, number][] = [['0', 0], ['1048576', 2 ** 20], ['512M', 512 * 2 ** 20], ['2G', 2 ** 31], ['1.5G', 1.5 * 2 ** 30], ['64kb', 64 * 2 ** 10], ['2GiB', 2 ** 31], ['1t', 2 ** 40]];
    for (const [value, bytes] of accepted) expect(memoryBudgetFlag(value), value).toBe(bytes);
    for (const value of ['', 'lots', '-1', '1.5', '2X', '1e9', '0x10', 'G']) {
      expect(() => memoryBudgetFlag(value), value).toThrow(UsageError);
      expect(() => memoryBudgetFlag(value), value).toThrow(`--memory-budget: expected a size in bytes, or with a unit K, M, G or T (512M, 2G); received "${value}"`);
    }
    for (let level = 0; level <= 9; level++) expect(gzipLevelFlag(String(level))).toBe(level);
    for (const value of ['10', '-1', '1.5', 'fast', '']) expect(() => gzipLevelFlag(value), value).toThrow(`--gzip-level: expected a whole number from 0 (no compression) to 9 (smallest files); received "${value}"`);
  });

  it('refuses a bad value with a usage error, writing nothing', async () => {
    const dir = await seedCopy('bad-flags');
    const before = await filesBelow(dir);
    for (const [flag, value] of [['--gzip-level', '12'], ['--memory-budget', 'a lot']] as const) {
      const result = await runCli('harmonize-volumes', ...VOLUME_FLAGS, '--out-dir', join(dir, 'out'), flag, value);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(new RegExp(`^combat: usage error: ${flag}: expected .*; received "${value}"\\n`));
    }
    expect(await filesBelow(dir)).toEqual(before);
  });

  it('writes gzip level 1 (runs only, zlib\u2019s Z_RLE) by default, or the level asked for; the voxels are the same', async () => {
    const dir = await seedCopy('gzip-levels');
    const runs = new Map<string, Map<string, Buffer>>();
    for (const level of [undefined, '0', '6', '9']) {
      const out = join(dir, `out-${level ?? 'default'}`);
      expect((await runCli('harmonize-volumes', ...VOLUME_FLAGS, '--out-dir', out, '--quiet', ...(level === undefined ? [] : ['--gzip-level', level]))).code).toBe(0);
      runs.set(level ?? 'default', await writtenFiles(out));
    }
    const reference = runs.get('default')!;
    expect(reference.size).toBe(24);
    for (const [level, files] of runs) {
      const options = level === 'default' ? { level: 1, strategy: constants.Z_RLE } : { level: Number(level) };
      for (const [name, bytes] of files) {
        const raw = gunzipSync(bytes);
        // The voxels (and header) are those of the default run; the bytes are zlib's at that level
        // (level 0 stores: its blocks follow zlib's buffer sizes, so only its size is compared).
        expect(raw.equals(gunzipSync(reference.get(name)!)), `${level} ${name}`).toBe(true);
        if (level === '0') expect(bytes.length, name).toBeGreaterThan(raw.length);
        else expect(bytes.equals(gzipSync(raw, options)), `${level} ${name}`).toBe(true);
      }
    }
  });

  it('gives the same files whether the images are kept between the passes or read again', async () => {
    for (const command of ['harmonize-volumes', 'apply-volumes'] as const) {
      const dir = await seedCopy(`budget-${command}`);
      const model = join(dir, 'model.arrow');
      if (command === 'apply-volumes') expect((await runCli('harmonize-volumes', ...VOLUME_FLAGS, '--out-dir', join(dir, 'fit'), '--save-model', model, '--quiet')).code).toBe(0);
      const runs: Map<string, Buffer>[] = [];
      // Everything kept, nothing kept, and ten volumes' in-mask voxels kept (8,624 float64 values each).
      for (const budget of [[], ['--memory-budget', '0'], ['--memory-budget', '700K']]) {
        const out = join(dir, `out-${runs.length}`);
        const flags = command === 'harmonize-volumes' ? VOLUME_FLAGS : ['--model', model, '--covariates', join(SEED, 'covars.csv'), '--image-column', 'path'];
        const result = await runCli(command, ...flags, '--out-dir', out, '--quiet', ...budget);
        expect(result.stderr).toBe('');
        runs.push(await writtenFiles(out));
      }
      expect(runs[0]!.size).toBe(24);
      for (const run of runs.slice(1)) expect(run).toEqual(runs[0]);
    }
  });

  it('a run that fails on its last output, while others are being written, leaves nothing behind', async () => {
    const dir = await seedWithOverflow('fail-last');
    const before = await filesBelow(dir);
    const result = await runCli('harmonize-volumes', '--covariates', join(dir, 'covars.csv'), '--image-column', 'path', '--batch', 'site', '--continuous', 'age', '--mask', join(dir, 'mask.nii.gz'), '--out-dir', join(dir, 'out'));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^combat: error: .*out\/sub-24\.nii\.gz: voxel \(4, 4, 3\) is [\d.e+]+, beyond float32's range .*; use --dtype float64\n$/);
    expect(await filesBelow(dir)).toEqual(before);
  });
});
