#!/usr/bin/env node
/**
 * The `combat` executable. Run through the workspace's `pnpm combat` script, it works in the
 * folder the user ran pnpm from (`INIT_CWD`), so relative paths mean what the user typed. It runs
 * the command in a child `node` with the heap flags of `heap-flags.ts` unless they were given.
 */
import { heapFlagsMissing, onLauncherGone, relaunchWithHeapFlags } from './heap-flags.js';

if (process.env.npm_lifecycle_event === 'combat' && process.env.INIT_CWD !== undefined) process.chdir(process.env.INIT_CWD);
const relaunched = heapFlagsMissing() ? await relaunchWithHeapFlags() : null;
if (relaunched !== null) {
  process.exitCode = relaunched;
} else {
  const { interruptActivePlans } = await import('./outputs.js');
  const { run } = await import('./program.js');
  // The first SIGINT or SIGTERM removes what the run staged and exits; more (a Ctrl-C reaches the launcher and this process) wait for it.
  let interrupted = false;
  const interrupt = (code: number) => {
    if (interrupted) return;
    interrupted = true;
    void interruptActivePlans().finally(() => process.exit(code));
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => interrupt(signal === 'SIGINT' ? 130 : 143));
  // A launcher killed outright (SIGKILL) cannot pass a signal on: its run stops as if interrupted.
  onLauncherGone(() => interrupt(137));
  process.exitCode = await run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
}
