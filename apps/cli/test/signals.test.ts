import { spawn } from 'node:child_process';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { temporaryFolder } from '@combat/test-support';
import { describe, expect, it } from 'vitest';
import { COMBAT } from './run-cli.js';

// `combat` runs each command in its own process (its heap flags are set in it: `src/heap-flags.ts`):
// SIGINT or SIGTERM to it removes what the run staged, and it exits with the shell's code for the
// signal.

/** Starts `combat harmonize` on a table big enough to write for a while; resolves once its output is staged. */
async function startRun(): Promise<{ dir: string; child: ReturnType<typeof spawn>; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>; stderr: () => string }> {
  const dir = await temporaryFolder('signals');
  // 4,000 rows of 300 features (about 9 MB): the adjust pass writes for a while.
  const names = Array.from({ length: 300 }, (_, v) => `f${v}`);
  const rows = Array.from({ length: 4000 }, (_, i) => `s${i},${i % 3 === 0 ? 'A' : 'B'},${names.map((_, v) => ((i * 7919 + v * 104729) % 1000) / 7).join(',')}`);
  const data = join(dir, 'data.csv');
  await writeFile(data, `subject,site,${names.join(',')}\n${rows.join('\n')}\n`);
  const child = spawn(process.execPath, [COMBAT, 'harmonize', '--data', data, '--batch', 'site', '--features', 'f0:f299', '--out', join(dir, 'out.csv')], {
    env: { ...process.env, npm_lifecycle_event: '', COMBAT_CHUNK_BYTES: '65536' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  let ended = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.on('close', (code, signal) => ((ended = true), done({ code, signal }))));
  // The staged output appears when the adjust pass starts.
  const staged = async (): Promise<boolean> => (await readdir(dir)).some((name) => name.startsWith('.out.csv.') && name.endsWith('.tmp'));
  while (!ended && !(await staged())) await new Promise((wait) => setTimeout(wait, 20));
  expect(ended, stderr).toBe(false);
  return { dir, child, exited, stderr: () => stderr };
}

describe('signals', () => {
  for (const [signal, code] of [
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const) {
    it(`${signal}: the run removes its staged output and exits with ${code}`, async () => {
      const { dir, child, exited, stderr } = await startRun();
      child.kill(signal);
      expect(await exited).toEqual({ code, signal: null });
      expect(stderr()).toBe('');
      expect((await readdir(dir)).sort()).toEqual(['data.csv']);
    });
  }
});
