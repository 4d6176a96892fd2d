import { readFileSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { effectMapPath } from '../src/effect-maps.js';
import { seedCopy } from './helpers.js';
import { runCli } from './run-cli.js';

describe('where --effect-maps writes', () => {
  it('is <dir>/<kind>_<batch>.nii.gz, every character outside [A-Za-z0-9._-] of the label made _', () => {
    expect(effectMapPath('out', 'gammaStar', 'Site A/1')).toBe(join('out', 'gammaStar_Site_A_1.nii.gz'));
    expect(effectMapPath('out', 'deltaStar', 'scanner-2.v1_b')).toBe(join('out', 'deltaStar_scanner-2.v1_b.nii.gz'));
    expect(effectMapPath('out', 'gammaStar', 'Zürich:3')).toBe(join('out', 'gammaStar_Z_rich_3.nii.gz'));
  });

  it('is what harmonize-volumes writes for batch labels with a space and a slash', async () => {
    const dir = await seedCopy('effect-names');
    const covariates = readFileSync(join(dir, 'covars.csv'), 'utf8').replaceAll('Scanner_A', 'Scanner A').replaceAll('Scanner_B', 'Site/B');
    await writeFile(join(dir, 'covars.csv'), covariates);
    const out = join(dir, 'out');
    const result = await runCli('harmonize-volumes', '--covariates', join(dir, 'covars.csv'), '--image-column', 'path', '--batch', 'site', '--mask', join(dir, 'mask.nii.gz'), '--out-dir', out, '--effect-maps', '--quiet');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const maps = (await readdir(out)).filter((name) => /^(gamma|delta)Star_/.test(name)).sort();
    expect(maps).toEqual([
      'deltaStar_Scanner_A.nii.gz', 'deltaStar_Scanner_C.nii.gz', 'deltaStar_Site_B.nii.gz',
      'gammaStar_Scanner_A.nii.gz', 'gammaStar_Scanner_C.nii.gz', 'gammaStar_Site_B.nii.gz',
    ]);
  });
});
