/** A TypeScript module for worker-source.test.ts to load in a worker thread. */
const typed: number = 42;
export const answer = typed;
