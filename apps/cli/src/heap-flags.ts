import { statSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';

/**
 * How `combat` sizes V8's heap. Reading a table in chunks keeps little alive (a chunk, the
 * covariates of every row, the model), but V8 sizes its heap by how fast a program allocates, not
 * by what it keeps: left alone, it lets the young generation grow to 2 x 16 MB and the old one to
 * up to four times what is alive before it collects, so a run over a 20 MB table peaks near 280 MB
 * of which a fifth is in use. Three heuristics of V8's collector bound that, without a limit: the
 * young generation of this thread stays at its starting size (`--semi-space-growth-factor=1`),
 * that of a worker started afterwards at 2 x 1 MB, and the old generation is collected once it has
 * grown by half of what is alive (not up to four times). None caps the heap: it still grows to
 * whatever a run holds (a model of 300,000 features, the covariates of a million rows), so no
 * input meets a heap limit; what changes is how much garbage waits to be collected (see the
 * README's figures for the memory and processor time).
 *
 * V8 reads these three flags as it collects or starts a worker, so `combat` sets them in its own
 * process as it starts ({@link setHeapFlags}), not in a second `node` (which would cost a process
 * of 40 MB).
 */
export const HEAP_FLAGS = ['--semi-space-growth-factor=1', '--max-semi-space-size=1', '--heap-growing-percent=50'] as const;

/**
 * V8's trade of speed for a smaller heap, for runs that read a table of at most
 * {@link SMALL_TABLE} bytes (a chunk at a time, where the peak is mostly V8's, not the data's):
 * `harmonize` of the 57 x 22,283 CSV (20 MB) peaked at 122 to 149 MB with it against 145 to 176
 * MB without, taking about 15% longer (README). A larger table's peak is flat in its rows either
 * way, and the flag would cost it more time (15 to 40% for the 2,000 x 20,000 CSV) than it saves
 * memory (5 to 10%); runs that read volumes, whose time is the target and whose memory is mostly
 * voxels, go without it too.
 */
export const TABLE_FLAG = '--optimize-for-size';

/** The largest `--data` file that gets {@link TABLE_FLAG}: 64 MiB. */
export const SMALL_TABLE = 64 * 2 ** 20;

/** The commands that read volumes; `fit-partial` and `report` do when given `--image-column`. */
const VOLUME_COMMANDS: ReadonlySet<string> = new Set(['harmonize-volumes', 'apply-volumes', 'demo']);

/**
 * The flags for a command line (`combat`'s arguments, the command first) whose `--data` file has
 * `dataBytes` bytes (undefined: none given, or not readable): {@link HEAP_FLAGS}, and
 * {@link TABLE_FLAG} unless the run reads volumes or a table larger than {@link SMALL_TABLE}.
 */
export function heapFlags(args: readonly string[], dataBytes?: number): string[] {
  const volumes = VOLUME_COMMANDS.has(args[0] ?? '') || args.some((arg) => arg === '--image-column' || arg.startsWith('--image-column='));
  return volumes || (dataBytes ?? 0) > SMALL_TABLE ? [...HEAP_FLAGS] : [...HEAP_FLAGS, TABLE_FLAG];
}

/** The size of the file after `--data` (or in `--data=FILE`), or undefined when there is none or it cannot be read. */
export function dataFileBytes(args: readonly string[]): number | undefined {
  const at = args.indexOf('--data');
  const path = at >= 0 ? args[at + 1] : args.find((arg) => arg.startsWith('--data='))?.slice('--data='.length);
  try {
    return path === undefined ? undefined : statSync(path).size;
  } catch {
    return undefined;
  }
}

/**
 * Sets the {@link heapFlags} of `args` (and of the size of their `--data` file) in this process,
 * each unless given to `node` (on its command line, or in `NODE_OPTIONS` for
 * `--max-semi-space-size`; `--no-optimize-for-size` counts as given), which is how to run with
 * V8's own heuristics instead (`node --semi-space-growth-factor=2 --heap-growing-percent=0
 * --no-optimize-for-size dist/main.js ...`). Call it before the work starts, with relative paths
 * meaning what they will mean for the run: a young generation grows from the start, and a
 * worker's is sized as it starts.
 */
export function setHeapFlags(args: readonly string[] = []): void {
  const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].map((flag) => flag.replace(/_/g, '-').replace(/^--no-/, '--').split('=')[0]);
  for (const flag of heapFlags(args, dataFileBytes(args))) if (!given.includes(flag.split('=')[0])) setFlagsFromString(flag);
}
