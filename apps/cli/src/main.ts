#!/usr/bin/env node
/**
 * The `combat` executable. Run through the workspace's `pnpm combat` script, it works in the
 * folder the user ran pnpm from (`INIT_CWD`), so relative paths mean what the user typed. It sets
 * the heap flags of `heap-flags.ts` before it loads the command (whose loading grows the heap).
 */
import { setHeapFlags } from './heap-flags.js';

if (process.env.npm_lifecycle_event === 'combat' && process.env.INIT_CWD !== undefined) process.chdir(process.env.INIT_CWD);
setHeapFlags(process.argv.slice(2));
const { interruptActivePlans } = await import('./outputs.js');
const { run } = await import('./program.js');
// The first SIGINT or SIGTERM removes what the run staged and exits; more (a second Ctrl-C) wait for it.
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    void interruptActivePlans().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  });
}
process.exitCode = await run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
