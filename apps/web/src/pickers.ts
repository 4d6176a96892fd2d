import { tableFromColumns } from '@combat/io-arrow';
import { offeredFeatures, type ColumnFacts } from './columns.js';
import { batchColumn, categorical, continuous, covarsFile, dataFile, element, features, featuresCount, featuresNotes, idColumn, imageColumn, refBatch, splineColumns } from './controls.js';
import { FieldError } from './explain.js';
import { checkModelColumns } from './model-columns.js';
import { state } from './page-state.js';
import { clearProblems, showProblem } from './problems.js';

/**
 * The column pickers: filled from the tables read (and, to apply, from the model), each keeping
 * what is chosen where it still exists.
 */

/** Gives `select` an option per name (after an `empty` one, when given), keeping the options chosen that remain. */
export function setOptions(select: HTMLSelectElement, names: readonly string[], empty?: string): void {
  const chosen = new Set(Array.from(select.selectedOptions, (option) => option.value));
  select.replaceChildren(
    ...(empty === undefined ? [] : [new Option(empty, '')]),
    ...names.map((name) => {
      const option = new Option(name, name);
      option.selected = chosen.has(name);
      return option;
    }),
  );
}

/** The values chosen in `select`, its empty option left out. */
export const selected = (select: HTMLSelectElement): string[] => Array.from(select.selectedOptions, (option) => option.value).filter((value) => value !== '');

/** The table that holds the batch and covariates: the covariates table when given, else the data. */
function covariateSource(): ColumnFacts[] {
  return state.columns.covars ?? state.columns.data ?? [];
}

/** Fills every picker from the tables (and, to apply, the model) read so far, keeping what is chosen where it still exists. */
export function refreshPickers(): void {
  const data = state.columns.data ?? [];
  const source = covariateSource();
  const dataNames = new Set(data.map((fact) => fact.name));
  setOptions(idColumn, state.columns.covars === null ? data.map((fact) => fact.name) : source.filter((fact) => dataNames.has(fact.name)).map((fact) => fact.name), '(none)');
  const fromModel = state.task === 'apply';
  for (const select of [batchColumn, categorical, continuous, features]) select.disabled = fromModel;
  if (fromModel) {
    fillFromModel();
    return;
  }
  setOptions(imageColumn, (state.columns.covars ?? []).map((fact) => fact.name), '(choose)');
  setOptions(batchColumn, source.map((fact) => fact.name), '(choose)');
  refreshCovariates();
}

/** To apply: the batch, covariates and features are the model's, shown chosen (and not to change); the id stays the user's, the model's by default. */
function fillFromModel(): void {
  const model = state.model;
  const chosen = (select: HTMLSelectElement, names: readonly string[], empty?: string): void => {
    setOptions(select, names, empty);
    for (const option of select.options) option.selected = option.value !== '';
  };
  chosen(batchColumn, model === null ? [] : [model.batch], '(from the model)');
  chosen(categorical, model?.categorical ?? []);
  chosen(continuous, model?.continuous ?? []);
  chosen(features, model?.features ?? []);
  featuresNotes.replaceChildren();
  countFeatures();
  if (model?.idColumn != null && idColumn.value === '' && Array.from(idColumn.options).some((option) => option.value === model?.idColumn)) idColumn.value = model.idColumn;
  checkAgainstModel();
}

/**
 * To apply: the model's columns checked against the tables as soon as both are read, as the run
 * checks them (io-arrow's `requireColumn` on the tables' column names: the same words), the
 * problem shown next to the table that lacks a column.
 */
function checkAgainstModel(): void {
  const { model, columns } = state;
  const data = dataFile.files?.[0];
  if (model === null || columns.data === null || data === undefined) return;
  const named = (facts: readonly ColumnFacts[], source: string) => tableFromColumns(Object.fromEntries(facts.map((fact) => [fact.name, []])), { source });
  const covariates = covarsFile.files?.[0];
  try {
    checkModelColumns(
      named(columns.data, data.name),
      columns.covars === null || covariates === undefined ? null : named(columns.covars, covariates.name),
      model.features,
      { batch: model.batch, categorical: [...model.categorical], continuous: [...model.continuous] },
      idColumn.value === '' ? null : idColumn.value,
    );
  } catch (error) {
    if (!(error instanceof FieldError)) throw error;
    showProblem(error.field, error.message);
  }
}

/** The covariate pickers: the columns of the covariates' table besides the id (or image) and the batch (continuous ones numeric). */
function refreshCovariates(): void {
  if (state.task === 'apply') return;
  const roles = new Set([state.task === 'volumes' ? imageColumn.value : idColumn.value, batchColumn.value]);
  const rest = covariateSource().filter((fact) => !roles.has(fact.name));
  setOptions(categorical, rest.map((fact) => fact.name));
  setOptions(continuous, rest.filter((fact) => fact.numeric).map((fact) => fact.name));
  refreshDependents();
}

/** The pickers that depend on the roles chosen: splines, features and the reference batch. */
function refreshDependents(): void {
  if (state.task === 'apply') return;
  setOptions(splineColumns, selected(continuous));
  const reserved = new Set([...selected(idColumn), ...selected(batchColumn), ...selected(categorical), ...selected(continuous)]);
  const { offered, notes } = offeredFeatures(state.columns.data ?? [], reserved);
  setOptions(features, offered);
  featuresNotes.replaceChildren(...notes.map((note) => Object.assign(document.createElement('li'), { textContent: note })));
  const batch = covariateSource().find((fact) => fact.name === batchColumn.value);
  setOptions(refBatch, batch?.levels === undefined || batch.levels === null ? [] : [...batch.levels].sort(), '(none)');
  countFeatures();
}

function countFeatures(): void {
  featuresCount.textContent = `${features.selectedOptions.length} of ${features.options.length} chosen`;
}

/** Listens to the pickers: a role chosen refreshes the pickers that depend on it (to apply, the id is checked against the model). */
export function listenToPickers(): void {
  imageColumn.addEventListener('change', refreshCovariates);
  for (const select of [idColumn, batchColumn]) select.addEventListener('change', refreshCovariates);
  idColumn.addEventListener('change', () => {
    if (state.task !== 'apply') return;
    clearProblems();
    checkAgainstModel();
  });
  for (const select of [categorical, continuous]) select.addEventListener('change', refreshDependents);
  features.addEventListener('change', countFeatures);
  element<HTMLButtonElement>('features-all').addEventListener('click', () => {
    for (const option of features.options) option.selected = true;
    countFeatures();
  });
  element<HTMLButtonElement>('features-none').addEventListener('click', () => {
    for (const option of features.options) option.selected = false;
    countFeatures();
  });
}
