import { batchColumn, categorical, continuous, covarsFile, dataFile, element, features, idColumn, imageColumn, imagesFile, maskFile, modelFile, newBatches, refBatch, runButton, splineColumns } from './controls.js';
import type { Field } from './protocol.js';

/** The controls each field's problem is shown beside (and focused). */
const CONTROLS: Readonly<Record<Field, HTMLElement>> = {
  'data-file': dataFile,
  'covars-file': covarsFile,
  'model-file': modelFile,
  'images-file': imagesFile,
  'mask-file': maskFile,
  'id-column': idColumn,
  'image-column': imageColumn,
  'batch-column': batchColumn,
  'categorical-columns': categorical,
  'continuous-columns': continuous,
  'spline-columns': splineColumns,
  features,
  'ref-batch': refBatch,
  'new-batches': newBatches,
  run: runButton,
};

/** Shows `message` next to the control of `field` (its `${field}-error` box), marks the control invalid and focuses it. */
export function showProblem(field: Field, message: string): void {
  const box = element<HTMLParagraphElement>(`${field}-error`);
  box.textContent = message;
  box.hidden = false;
  CONTROLS[field].setAttribute('aria-invalid', 'true');
  CONTROLS[field].focus();
}

/** Hides every problem shown, and marks every control valid again. */
export function clearProblems(): void {
  for (const [field, control] of Object.entries(CONTROLS)) {
    const box = element<HTMLParagraphElement>(`${field}-error`);
    box.textContent = '';
    box.hidden = true;
    control.removeAttribute('aria-invalid');
  }
}
