import { availableParallelism } from 'node:os';
import type { CombatThreads } from '@combat/threads';
import { Option } from 'commander';
import { UsageError } from './cli-io.js';

/** The most threads `--threads` takes. */
const MAX_THREADS = 1024;

/**
 * The `--threads` flag of a command, as commander parses it: how many threads do the work (1: the
 * main thread alone, no worker), by default every core (`os.availableParallelism()`).
 */
export interface ThreadsFlags {
  readonly threads?: number;
}

/** Parses `--threads`: a whole number from 1 to 1024. */
export function threadsFlag(value: string): number {
  const threads = /^\d+$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
  if (!(threads >= 1 && threads <= MAX_THREADS)) throw new UsageError(`--threads: expected a whole number from 1 to ${MAX_THREADS}; received "${value}"`);
  return threads;
}

/**
 * The `--threads` option, for any command (`command.addOption(threadsOption())`): parsed by
 * {@link threadsFlag}, every core by default; `what` says what they do.
 */
export function threadsOption(what = 'threads to work on'): Option {
  return new Option('--threads <n>', `${what}: 1 (no worker) to 1024`).argParser(threadsFlag).default(availableParallelism(), 'every core');
}

/** The threads a command's flags ask for: `--threads`, else every core. */
export function threadsOf(flags: ThreadsFlags): number {
  return flags.threads ?? availableParallelism();
}

/**
 * Runs `work` with core's math on the threads the flags ask for (`CombatThreads`: features split
 * across workers, results bit for bit the same for any number), stopping the workers after it.
 */
export async function withCombatThreads<T>(flags: ThreadsFlags, work: (threads: CombatThreads) => Promise<T>): Promise<T> {
  // Loaded here, not with the program: a command that fails early, or prints its help, starts faster.
  const { CombatThreads: Threads } = await import('@combat/threads');
  const threads = new Threads({ threads: threadsOf(flags) });
  try {
    return await work(threads);
  } finally {
    await threads.close();
  }
}
