/**
 * The worker of {@link CombatThreads}: warms core's hot loops up (see warm-up.ts), then answers
 * the tasks of tasks.ts.
 */
import workerpool from 'workerpool';
import { TASKS } from './tasks.js';
import { warmUp } from './warm-up.js';

try {
  warmUp();
} catch {
  // A warm-up only speeds the first task up; one that cannot run (a page without shared memory)
  // must not stop the worker: the caller's first call reports what is wrong, in its words.
}
workerpool.worker(TASKS);
