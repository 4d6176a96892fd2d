import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The folder every CLI test writes below; removed when the run ends. */
    scratch: string;
  }
}

/**
 * Vitest global setup of the CLI tests: builds `combat` and the packages it imports, so the tests
 * run the compiled executable (turbo replays its cache when no source changed), and gives the
 * tests one scratch folder, removed afterwards.
 */
export default function setup(project: TestProject): () => void {
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  execFileSync('npx', ['--yes', 'pnpm@10.34.8', 'exec', 'turbo', 'run', 'build', '--filter=@combat/cli...', '--output-logs=errors-only'], { cwd: root, stdio: 'inherit' });
  const scratch = mkdtempSync(join(tmpdir(), 'combat-cli-tests-'));
  project.provide('scratch', scratch);
  return () => rmSync(scratch, { recursive: true, force: true });
}
