import { spawn } from 'node:child_process';
import { constants } from 'node:os';

/**
 * How `combat` sizes V8's heap. Reading a table in chunks keeps little alive (a chunk, the
 * covariates of every row, the model), but V8 sizes its heap by how fast a program allocates, not
 * by what it keeps: left alone, it lets the young generation grow to 3 x 16 MB and the old one to
 * up to four times what is alive before it collects, so a run over a 20 MB table peaks near 280 MB
 * of which a fifth is in use. Two heuristics of V8's collector bound that, without a limit: a
 * young generation of 3 x 8 MB, and an old generation collected once it has grown by as much as
 * is alive (not up to four times). Neither caps the heap: it still grows to whatever a run holds
 * (a model of 300,000 features, the covariates of a million rows), so no input meets a heap
 * limit; what changes is how much garbage waits to be collected (a third less peak memory, for
 * about a fifth more processor time on long runs: see the README's figures).
 *
 * V8 reads these flags when it starts, so `combat` runs itself again in a child `node` with them
 * (a few tens of milliseconds), unless they were given (on the command line or in
 * `NODE_OPTIONS`, where `--max-semi-space-size` is allowed). The child inherits the standard
 * streams, the working directory and the environment; its exit code is the command's, and a
 * child ended by a signal ends this process with the same signal.
 */
export const HEAP_FLAGS = ['--max-semi-space-size=8', '--heap-growing-percent=100'] as const;

/** Whether this process runs without the heap flags (nor a young-generation size of the user's). */
export function heapFlagsMissing(): boolean {
  const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  return !given.some((flag) => flag.startsWith('--max-semi-space-size'));
}

/**
 * Runs this script again in a child `node` with {@link HEAP_FLAGS} (and this process's own
 * flags, such as a loader), and resolves to its exit code. SIGINT and SIGTERM are passed on to
 * the child, which removes what it staged (a Ctrl-C reaches both: the child takes one). A child
 * ended by a signal ends this process with it. The child is tied to this process by an IPC
 * channel: should this process end without passing a signal on (SIGKILL), the child sees the
 * channel close and stops as if interrupted (see {@link onLauncherGone}). Resolves to null when
 * the child cannot be started: the command then runs in this process.
 */
export function relaunchWithHeapFlags(): Promise<number | null> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [...process.execArgv, ...HEAP_FLAGS, ...process.argv.slice(1)], { stdio: ['inherit', 'inherit', 'inherit', 'ipc'] });
    const forward = (signal: NodeJS.Signals) => void child.kill(signal);
    const signals = ['SIGINT', 'SIGTERM'] as const;
    for (const signal of signals) process.on(signal, forward);
    const stop = () => signals.forEach((signal) => process.off(signal, forward));
    // An error before the child started means it never ran; one after (a signal it could not be sent) changes nothing: its exit still comes.
    let started = false;
    child.once('spawn', () => (started = true));
    child.once('error', () => {
      if (started) return;
      stop();
      done(null);
    });
    child.once('exit', (code, signal) => {
      stop();
      if (signal === null) return done(code ?? 1);
      // Ends this process as the child ended; a signal Node ignores (SIGPIPE) gives the shell's code instead.
      process.kill(process.pid, signal);
      done(128 + (constants.signals[signal] ?? 0));
    });
  });
}

/**
 * In a child started by {@link relaunchWithHeapFlags}: calls `stop` when the launcher is gone
 * (its IPC channel closed), without keeping this process alive for the channel.
 */
export function onLauncherGone(stop: () => void): void {
  if (process.channel === undefined) return;
  process.channel.unref();
  process.once('disconnect', stop);
}
