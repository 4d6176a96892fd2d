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
 * Sets {@link HEAP_FLAGS} in this process, each unless given to `node` (on its command line, or in
 * `NODE_OPTIONS` for `--max-semi-space-size`), which is how to run with V8's own heuristics
 * instead (`node --semi-space-growth-factor=2 --heap-growing-percent=0 dist/main.js ...`). Call it
 * before the work starts: a young generation grows from the start, and a worker's is sized as it
 * starts.
 */
export function setHeapFlags(): void {
  const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].map((flag) => flag.replace(/_/g, '-').split('=')[0]);
  for (const flag of HEAP_FLAGS) if (!given.includes(flag.split('=')[0])) setFlagsFromString(flag);
}
