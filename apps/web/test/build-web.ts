import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Vitest global setup of the web app's tests: builds the app (its `dist/`, as `pnpm web` serves
 * it) and the `combat` executable that applies the model the app downloads (turbo replays its
 * cache when no source changed).
 */
export default function setup(): void {
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  execFileSync('npx', ['--yes', 'pnpm@10.34.8', 'exec', 'turbo', 'run', 'build', '--filter=@combat/web', '--filter=@combat/cli...', '--output-logs=errors-only'], { cwd: root, stdio: 'inherit' });
}
