#!/usr/bin/env node
/**
 * The `combat` executable. Run through the workspace's `pnpm combat` script, it works in the
 * folder the user ran pnpm from (`INIT_CWD`), so relative paths mean what the user typed.
 */
import { interruptActivePlans } from './outputs.js';
import { run } from './program.js';

if (process.env.npm_lifecycle_event === 'combat' && process.env.INIT_CWD !== undefined) process.chdir(process.env.INIT_CWD);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void interruptActivePlans().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143)));
}
process.exitCode = await run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
