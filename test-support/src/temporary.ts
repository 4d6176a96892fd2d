import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, onTestFinished } from 'vitest';

/**
 * A new empty folder in the system's temporary folder, removed with everything in it when the
 * test that asked for it finishes, or, asked for at the top of a file or in a `describe` body,
 * after that file's or block's tests. (Not from a `beforeAll`/`beforeEach` hook: call it at the
 * file's top level instead.) The cleanup is registered before anything is awaited, so it lands
 * on the right test.
 */
export function temporaryFolder(prefix = 'combat-test'): Promise<string> {
  const folder = mkdtemp(join(tmpdir(), `${prefix}-`));
  const remove = async () => rm(await folder, { recursive: true, force: true });
  try {
    onTestFinished(remove);
  } catch {
    // Not inside a test: vitest is collecting a file or a describe block.
    afterAll(remove);
  }
  return folder;
}
