/**
 * Preloaded (`node --import`) into a process the pipeline benchmark runs, such as the compiled
 * `combat`: when it exits, writes its peak resident set size in bytes to the file named by
 * `COMBAT_BENCH_PEAK_RSS`, unless the file already holds a larger one (`combat` runs its command
 * in a child `node` with the same preload, which exits first).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const target = process.env.COMBAT_BENCH_PEAK_RSS;
if (target !== undefined) {
  process.on('exit', () => {
    const before = existsSync(target) ? Number(readFileSync(target, 'utf8')) : 0;
    writeFileSync(target, String(Math.max(before, process.resourceUsage().maxRSS * 1024)));
  });
}
