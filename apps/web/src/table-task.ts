import { batchColumn, categorical, continuous, covarsFile, dataFile, features, form, idColumn, meanOnly, refBatch, splineColumns, splineDf } from './controls.js';
import { state } from './page-state.js';
import { selected } from './pickers.js';
import { showProblem } from './problems.js';
import type { Mode, RunRequest } from './protocol.js';
import { tablesReady } from './table-inputs.js';

/** The harmonization of a table (`combat harmonize`) the controls ask for, or null after showing what is missing. */
export function runRequest(): RunRequest | null {
  const data = dataFile.files?.[0];
  if (data === undefined || state.columns.data === null) {
    showProblem('data-file', 'choose the data table: a CSV, TSV, Arrow or Feather file with one row per subject');
    return null;
  }
  // A covariates table chosen but not read (still being read, or refused) is never left out silently.
  if (!tablesReady()) return null;
  const mode = (form.elements.namedItem('mode') as RadioNodeList).value as Mode;
  return {
    data,
    covariates: covarsFile.files?.[0] ?? null,
    id: idColumn.value === '' ? null : idColumn.value,
    batch: batchColumn.value,
    categorical: selected(categorical),
    continuous: selected(continuous),
    splines: selected(splineColumns),
    splineDf: Number(splineDf.value),
    features: selected(features),
    mode,
    meanOnly: meanOnly.checked,
    refBatch: refBatch.value === '' ? null : refBatch.value,
  };
}
