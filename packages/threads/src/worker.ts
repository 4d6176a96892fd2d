/**
 * The worker of {@link CombatThreads}: warms core's hot loops up (see warm-up.ts), then answers
 * the tasks of tasks.ts.
 */
import workerpool from 'workerpool';
import { TASKS } from './tasks.js';
import { warmUp } from './warm-up.js';

warmUp();
workerpool.worker(TASKS);
