import type { ColumnFacts } from './columns.js';
import type { ZipSpan } from './zip-archive.js';

/**
 * The messages between the page and its worker. The page sends a file to inspect or a run; the
 * worker answers with the columns, with progress and a result, or with a {@link FieldProblem}
 * naming the control it concerns.
 */

/** The controls a problem can be shown next to (their `data-testid`). */
export type Field =
  | 'data-file'
  | 'covars-file'
  | 'model-file'
  | 'images-file'
  | 'mask-file'
  | 'id-column'
  | 'image-column'
  | 'batch-column'
  | 'categorical-columns'
  | 'continuous-columns'
  | 'spline-columns'
  | 'features'
  | 'ref-batch'
  | 'new-batches'
  | 'run';

/** What the page does: harmonize a table, apply a saved model to a table, or harmonize volumes. */
export type Task = 'table' | 'apply' | 'volumes';

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

/** What an apply needs: the model file, the data (and covariates) and whether to estimate batches the model has not seen. */
export interface ApplyRequest {
  readonly model: File;
  readonly data: File;
  readonly covariates: File | null;
  readonly id: string | null;
  readonly estimateNewBatches: boolean;
}

/** What a volume run needs: the covariates table, its images (matched by file name), the mask, the columns' roles and the options. */
export interface VolumeRequest {
  readonly covariates: File;
  readonly images: readonly File[];
  readonly mask: File;
  readonly imageColumn: string;
  readonly batch: string;
  readonly categorical: readonly string[];
  readonly continuous: readonly string[];
  readonly splines: readonly string[];
  readonly splineDf: number;
  readonly mode: Mode;
  readonly meanOnly: boolean;
  readonly refBatch: string | null;
  readonly dtype: 'float32' | 'float64';
}

/** What the page knows of a model file to fill its pickers: the columns it was fitted with, its features and batches. */
export interface ModelFacts {
  readonly batch: string;
  readonly categorical: readonly string[];
  readonly continuous: readonly string[];
  readonly idColumn: string | null;
  readonly features: readonly string[];
  readonly batches: readonly string[];
  readonly mode: string;
}

/** What the page asks of the worker. */
export type Request =
  | { readonly kind: 'inspect'; readonly field: 'data-file' | 'covars-file'; readonly file: File }
  | { readonly kind: 'inspect-model'; readonly file: File }
  | { readonly kind: 'run'; readonly request: RunRequest }
  | { readonly kind: 'apply'; readonly request: ApplyRequest }
  | { readonly kind: 'volumes'; readonly request: VolumeRequest };

/** A problem the page shows next to its control, in the words the CLI uses. */
export interface FieldProblem {
  readonly field: Field;
  readonly message: string;
}

/** What a run gives back: the files to download, the report page and what the CLI would print. */
export interface RunResult {
  readonly table: { readonly name: string; readonly bytes: Uint8Array };
  readonly model: { readonly name: string; readonly bytes: Uint8Array };
  /** What `--diagnostics` writes: the diagnostics as JSON. */
  readonly diagnostics: { readonly name: string; readonly bytes: Uint8Array };
  readonly report: string;
  readonly summary: string;
  readonly warnings: readonly string[];
}

/** What an apply gives back: the table, the model extended with new batches (when any were estimated), and what the CLI would print. */
export interface ApplyResult {
  readonly table: { readonly name: string; readonly bytes: Uint8Array };
  readonly model: { readonly name: string; readonly bytes: Uint8Array } | null;
  readonly summary: string;
  readonly warnings: readonly string[];
}

/**
 * One file of a volume run's zip, to view: a harmonized volume (`row` its row, 0-based) or a
 * batch-effect map (`row` null). Its bytes are held once, in the zip, stored as they are: `start`
 * and `end` are where (the zip's Blob sliced there is the `.nii.gz`).
 */
export interface VolumeOutput extends ZipSpan {
  readonly name: string;
  readonly row: number | null;
}

/** What a volume run gives back: the zip, where in it the outputs to view beside their inputs are, the report and what the CLI would print. */
export interface VolumeResult {
  readonly zip: { readonly name: string; readonly blob: Blob };
  readonly outputs: readonly VolumeOutput[];
  /** For each row of the covariates table, its subject's name (the image cell) and its input file. */
  readonly subjects: readonly { readonly name: string; readonly image: File }[];
  readonly diagnostics: { readonly name: string; readonly bytes: Uint8Array };
  readonly report: string;
  readonly summary: string;
  readonly warnings: readonly string[];
}

/** What the worker answers. */
export type Reply =
  | { readonly kind: 'columns'; readonly field: 'data-file' | 'covars-file'; readonly rows: number; readonly columns: readonly ColumnFacts[] }
  | { readonly kind: 'progress'; readonly step: string; readonly fraction: number }
  | { readonly kind: 'model'; readonly facts: ModelFacts }
  | { readonly kind: 'done'; readonly result: RunResult }
  | { readonly kind: 'applied'; readonly result: ApplyResult }
  | { readonly kind: 'volumes-done'; readonly result: VolumeResult }
  | { readonly kind: 'problem'; readonly problem: FieldProblem };
