/**
 * Preloaded (`node --import`) into a process the pipeline benchmark runs, such as the compiled
 * `combat`: when it exits, writes its peak resident set size in bytes and the CPU time of all its
 * threads in seconds (user and system) as JSON to the file named by `COMBAT_BENCH_PEAK_RSS`.
 */
import { writeFileSync } from 'node:fs';

const target = process.env.COMBAT_BENCH_PEAK_RSS;
if (target !== undefined) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    writeFileSync(target, JSON.stringify({ peak: usage.maxRSS * 1024, cpu: (usage.userCPUTime + usage.systemCPUTime) / 1e6 }));
  });
}
