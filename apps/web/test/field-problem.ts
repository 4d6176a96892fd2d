import { FieldError } from '../src/explain.js';

/** The problem a run of the worker's code gives, as the page shows it (its control and message); any other outcome fails. */
export async function fieldProblem(run: () => Promise<unknown>): Promise<{ field: string; message: string }> {
  try {
    await run();
  } catch (error) {
    if (error instanceof FieldError) return { field: error.field, message: error.message };
    throw error;
  }
  throw new Error('the run succeeded');
}
