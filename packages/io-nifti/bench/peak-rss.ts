/**
 * Preloaded (`node --import`) into a process the pipeline benchmark runs, such as the compiled
 * `combat`: when it exits, writes its peak resident set size in bytes to the file named by
 * `COMBAT_BENCH_PEAK_RSS`.
 */
import { writeFileSync } from 'node:fs';

const target = process.env.COMBAT_BENCH_PEAK_RSS;
if (target !== undefined) process.on('exit', () => writeFileSync(target, String(process.resourceUsage().maxRSS * 1024)));
