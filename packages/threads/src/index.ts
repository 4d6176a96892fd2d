export { CombatThreads, type ThreadsOptions } from './threads.js';
