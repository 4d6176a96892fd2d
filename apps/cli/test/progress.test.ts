import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { temporaryFolder } from '@combat/test-support';
import { describe, expect, it } from 'vitest';
import { SEED } from './helpers.js';
import { COMBAT } from './run-cli.js';

/** Runs the built combat on a pseudo-terminal (util-linux `script`), returning what the terminal showed. */
async function harmonizeOnTerminal(...extra: string[]): Promise<string> {
  const out = await temporaryFolder('progress');
  const argv = [process.execPath, COMBAT, 'harmonize-volumes', '--covariates', join(SEED, 'covars.csv'), '--image-column', 'path', '--batch', 'site', '--mask', join(SEED, 'mask.nii.gz'), '--out-dir', join(out, 'o'), ...extra];
  const quoted = argv.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const run = spawnSync('script', ['-qefc', quoted, '/dev/null'], { encoding: 'utf8' });
  expect(run.status).toBe(0);
  return run.stdout;
}

describe('the progress bar for volume work', () => {
  it('shows on a terminal, counting both passes over the volumes', async () => {
    expect(await harmonizeOnTerminal()).toMatch(/combat \[.*\] 48\/48 volume passes/);
  });

  it('is silenced by --quiet, with the summary', async () => {
    expect(await harmonizeOnTerminal('--quiet')).toBe('');
  });
});
