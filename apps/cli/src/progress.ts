import { SingleBar, Presets } from 'cli-progress';
import type { CliIo } from './cli-io.js';

/**
 * A progress bar on standard error for volume work, shown only when standard error is a terminal
 * and `--quiet` is not given; otherwise every call does nothing.
 */
export function startProgress(io: CliIo, quiet: boolean, total: number): { tick(): void; stop(): void } {
  if (quiet || !io.stderr.isTTY) return { tick: () => {}, stop: () => {} };
  const bar = new SingleBar({ stream: io.stderr as NodeJS.WritableStream, format: 'combat [{bar}] {value}/{total} volume passes | {eta_formatted} left', hideCursor: true }, Presets.shades_classic);
  bar.start(total, 0);
  return { tick: () => bar.increment(), stop: () => bar.stop() };
}
