import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Vitest global setup of the CLI tests: builds `combat` and the packages it imports, so the tests
 * run the compiled executable. Turbo replays its cache when no source changed.
 */
export default function setup(): void {
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  execFileSync('npx', ['--yes', 'pnpm@10.34.8', 'exec', 'turbo', 'run', 'build', '--filter=@combat/cli...', '--output-logs=errors-only'], { cwd: root, stdio: 'inherit' });
}
