import type { ColumnFacts } from './columns.js';

/**
 * The messages between the page and its worker. The page sends a file to inspect or a run; the
 * worker answers with the columns, with progress and a result, or with a {@link FieldProblem}
 * naming the control it concerns.
 */

/** The controls a problem can be shown next to (their `data-testid`). */
export type Field = 'data-file' | 'covars-file' | 'id-column' | 'batch-column' | 'categorical-columns' | 'continuous-columns' | 'spline-columns' | 'features' | 'ref-batch' | 'run';

/** The three ways of estimating the batch effects (the CLI's default, `--non-parametric`, `--no-eb`). */
export type Mode = 'parametric' | 'non-parametric' | 'no-eb';

/** What a run needs: the files, the columns' roles and the options, as the page's controls hold them. */
export interface RunRequest {
  readonly data: File;
  readonly covariates: File | null;
  readonly id: string | null;
  readonly batch: string;
  readonly categorical: readonly string[];
  readonly continuous: readonly string[];
  readonly splines: readonly string[];
  readonly splineDf: number;
  readonly features: readonly string[];
  readonly mode: Mode;
  readonly meanOnly: boolean;
  readonly refBatch: string | null;
}

/** What the page asks of the worker. */
export type Request = { readonly kind: 'inspect'; readonly field: 'data-file' | 'covars-file'; readonly file: File } | { readonly kind: 'run'; readonly request: RunRequest };

/** A problem the page shows next to its control, in the words the CLI uses. */
export interface FieldProblem {
  readonly field: Field;
  readonly message: string;
}

/** What a run gives back: the files to download, the report page and what the CLI would print. */
export interface RunResult {
  readonly table: { readonly name: string; readonly bytes: Uint8Array };
  readonly model: { readonly name: string; readonly bytes: Uint8Array };
  readonly report: string;
  readonly summary: string;
  readonly warnings: readonly string[];
}

/** What the worker answers. */
export type Reply =
  | { readonly kind: 'columns'; readonly field: 'data-file' | 'covars-file'; readonly rows: number; readonly columns: readonly ColumnFacts[] }
  | { readonly kind: 'progress'; readonly step: string; readonly fraction: number }
  | { readonly kind: 'done'; readonly result: RunResult }
  | { readonly kind: 'problem'; readonly problem: FieldProblem };
