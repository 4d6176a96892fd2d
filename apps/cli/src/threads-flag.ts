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
 * A table of fewer cells than this (rows x features) is worked on by one thread unless `--threads`
 * says otherwise: its math takes a fraction of a second, less than starting and warming workers,
 * which also take tens of megabytes each.
 */
export const THREADED_CELLS = 10_000_000;

/**
 * The `--threads` option, for any command (`command.addOption(threadsOption())`): parsed by
 * {@link threadsFlag}; `what` says what the threads do and `fallback` what happens without the
 * flag.
 */
export function threadsOption(what = 'threads to work on', fallback = 'every core'): Option {
  return new Option('--threads <n>', `${what}: 1 (no worker) to 1024 (default: ${fallback})`).argParser(threadsFlag);
}

/** The `--threads` option of the table commands, whose default depends on the table's size ({@link withCombatThreads}). */
export function tableThreadsOption(): Option {
  return threadsOption('threads to work on', `every core for a table of ${THREADED_CELLS / 1e6} million cells or more, else 1`);
}

/** The threads a command's flags ask for: `--threads`, else every core. */
export function threadsOf(flags: ThreadsFlags): number {
  return flags.threads ?? availableParallelism();
}

/**
 * Runs `work` with core's math on the threads the flags ask for (`CombatThreads`: features split
 * across workers, results bit for bit the same for any number), stopping the workers after it.
 * Without `--threads`, a table of `cells` (rows x features) under {@link THREADED_CELLS} gets one
 * thread and no worker, a larger one every core.
 */
export async function withCombatThreads<T>(flags: ThreadsFlags, cells: number, work: (threads: CombatThreads) => Promise<T>): Promise<T> {
  // Loaded here, not with the program: a command that fails early, or prints its help, starts faster.
  const { CombatThreads: Threads } = await import('@combat/threads');
  const threads = new Threads({ threads: flags.threads ?? (cells < THREADED_CELLS ? 1 : availableParallelism()) });
  try {
    return await work(threads);
  } finally {
    await threads.close();
  }
}
