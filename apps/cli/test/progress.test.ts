import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { run } from '../src/program.js';

const SEED = fileURLToPath(new URL('../../../fixtures/volumes-seed/', import.meta.url));

async function harmonizeOnTerminal(...extra: string[]): Promise<string> {
  let stderr = '';
  const out = await mkdtemp(join(tmpdir(), 'progress-'));
  const code = await run(
    ['harmonize-volumes', '--covars', join(SEED, 'covars.csv'), '--image-col', 'path', '--batch', 'site', '--mask', join(SEED, 'mask.nii.gz'), '--out-dir', out, ...extra],
    { stdout: { write: () => true }, stderr: { write: (t: string) => (stderr += t), isTTY: true } },
  );
  expect(code).toBe(0);
  return stderr;
}

describe('the progress bar for volume work', () => {
  it('shows on a terminal, counting both passes over the volumes', async () => {
    expect(await harmonizeOnTerminal()).toMatch(/combat \[.*\] 48\/48 volume passes/);
  });

  it('is silenced by --quiet', async () => {
    expect(await harmonizeOnTerminal('--quiet')).toBe('');
  });
});
