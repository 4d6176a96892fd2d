import type { ColumnFacts } from './columns.js';
import type { ModelFacts, Task } from './protocol.js';

/** What the page knows so far: the task chosen, the columns of the tables read (null until read) and the model read (to apply). */
export const state: { task: Task; columns: { data: ColumnFacts[] | null; covars: ColumnFacts[] | null }; model: ModelFacts | null } = {
  task: 'table',
  columns: { data: null, covars: null },
  model: null,
};
