import { CombatError, describeUnadjusted, harmonize, type CombatModel, type CombatOptions, type CombatWarning } from '@combat/core';
import { diagnose, type Diagnostics } from '@combat/diagnostics';
import { encodeModelFile, tableMatrix, TableEncoder, type CovariateColumns, type Table } from '@combat/io-arrow';
import { renderReport, type ReportFacts } from '@combat/report';
import manifest from '../package.json' with { type: 'json' };
import { asProblem, FieldError, inField, type RowContext } from './explain.js';
import { pairedCovariates } from './pairing.js';
import type { Field, RunRequest, RunResult } from './protocol.js';
import { decodeTable, harmonizedName, tableFormat } from './table-file.js';

/** The name the model is downloaded under (and named by in its messages). */
const MODEL_NAME = 'model.arrow';

/** The name the diagnostics JSON is downloaded under (the CLI's `--diagnostics` content). */
const DIAGNOSTICS_NAME = 'diagnostics.json';

/** The app's version (its package.json's), in the report's facts. */
const VERSION = manifest.version;

/** Tells the page how far a run is: what it does now and the share done, 0 to 1. */
export type Progress = (step: string, fraction: number) => void;

/**
 * One run of the table flow, as `combat harmonize --data ... [--covariates ... --id ...] --features
 * ... --out ... --save-model ... --report ...` does it: reads the tables, pairs them, harmonizes
 * the features (core's `harmonize`), diagnoses the run and renders its report, and encodes the
 * table (every input column in order, the features harmonized, in the input's format) and the
 * model file. What goes wrong is a {@link FieldError} naming the control it concerns.
 */
export async function runHarmonization(request: RunRequest, progress: Progress): Promise<RunResult> {
  progress('reading the tables', 0.05);
  const data = await readTable(request.data, 'data-file');
  const covariatesTable = request.covariates === null ? null : await readTable(request.covariates, 'covars-file');
  const columns = covariateColumns(request);
  checkRoles(request);
  const idColumn = request.id ?? undefined;
  const rows: RowContext = { table: data, features: request.features, ...(idColumn === undefined ? {} : { idColumn }) };
  const covariates = inRoles(request, () => pairedCovariates(data, covariatesTable, request.id, columns));
  const matrix = inField('features', () => tableMatrix(data, request.features, { idColumn }));
  progress('harmonizing', 0.2);
  await yieldToEvents();
  const options = combatOptions(request);
  const { data: adjusted, model, warnings } = inField('run', () => inBatches(request, data, () => harmonize(matrix, covariates, options)), rows);
  progress('diagnosing', 0.45);
  await yieldToEvents();
  const diagnostics = inField('run', () => diagnose(matrix, { ...matrix, data: adjusted }, covariates, model, { names: request.features }), rows);
  progress('drawing the report', 0.7);
  const tableName = harmonizedName(request.data.name);
  const report = await reportPage(diagnostics, model, commandLine(request, tableName), {
    inputs: [['the table', request.data.name], ...(request.covariates === null ? [] : [['the covariates', request.covariates.name] as const])],
    outputs: [['the harmonized table', tableName], ['the model', MODEL_NAME], ['the diagnostics', DIAGNOSTICS_NAME]],
  });
  progress('writing the table and the model', 0.9);
  await yieldToEvents();
  const table = encodeTable(data, request.features, adjusted, tableFormat(request.data.name));
  const modelBytes = encodeModelFile(model, { featureNames: request.features, columns, ...(idColumn === undefined ? {} : { idColumn }) }, { target: MODEL_NAME });
  progress('done', 1);
  return {
    table: { name: tableName, bytes: table },
    model: { name: MODEL_NAME, bytes: modelBytes },
    diagnostics: { name: DIAGNOSTICS_NAME, bytes: new TextEncoder().encode(`${JSON.stringify(diagnostics)}\n`) },
    report,
    summary: `harmonized ${describeFeatures(request.features)} of ${matrix.samples} sample${matrix.samples === 1 ? '' : 's'} in ${model.batches.size} batches`,
    warnings: warnings.map((warning) => describeWarning(warning, request.features)),
  };
}

/** A file's bytes read and decoded, its problems shown next to its control. */
export async function readTable(file: File, field: 'data-file' | 'covars-file'): Promise<Table> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  return inField(field, () => decodeTable(bytes, file.name));
}

/** The table as the CLI writes it: every column in order, each feature's column replaced by its harmonized values. */
export function encodeTable(table: Table, features: readonly string[], adjusted: Float64Array, format: 'csv' | 'tsv' | 'arrow'): Uint8Array {
  const V = features.length;
  const replaced = new Map(features.map((name, v) => [name, Float64Array.from({ length: table.rows }, (_, i) => adjusted[i * V + v] as number)]));
  const encoder = new TableEncoder(format);
  encoder.scan(table, features);
  const parts = [encoder.encode(table, replaced), encoder.finish()];
  const bytes = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let at = 0;
  for (const part of parts) {
    bytes.set(part, at);
    at += part.length;
  }
  return bytes;
}

/** The roles of the covariate columns. */
function covariateColumns(request: RunRequest): CovariateColumns {
  return { batch: request.batch, categorical: [...request.categorical], continuous: [...request.continuous] };
}

/** The ComBat options of the mode controls, as the CLI's `combatOptions`. */
export function combatOptions(request: Pick<RunRequest, 'mode' | 'meanOnly' | 'refBatch' | 'splines' | 'splineDf'>): CombatOptions {
  const splines = Object.fromEntries(request.splines.map((name) => [name, { df: request.splineDf }]));
  return {
    eb: request.mode !== 'no-eb',
    parametric: request.mode !== 'non-parametric',
    meanOnly: request.meanOnly,
    refBatch: request.refBatch,
    ...(request.splines.length === 0 ? {} : { splines }),
  };
}

/**
 * The checks the CLI makes of its flags before reading rows, shared by the table and volume
 * flows: a batch, one role per column (the id or image column first, when there is one, then the
 * batch and the covariates), splines of continuous covariates with a whole number of degrees of
 * freedom. Gives each column's role, to check the features against.
 */
export function checkCovariateRoles(
  first: { readonly name: string; readonly role: string; readonly field: Field } | null,
  request: Pick<RunRequest, 'batch' | 'categorical' | 'continuous' | 'splines' | 'splineDf'>,
): Map<string, string> {
  if (request.batch === '') throw new FieldError('batch-column', 'choose the batch column: the column naming each row\u2019s batch (site, scanner)');
  const roles = new Map<string, string>();
  const claim = (name: string, role: string, field: Field): void => {
    const earlier = roles.get(name);
    if (earlier !== undefined) throw new FieldError(field, `column "${name}" is given as ${earlier} and as ${role}; a column has one role`);
    roles.set(name, role);
  };
  if (first !== null) claim(first.name, first.role, first.field);
  claim(request.batch, 'the batch', 'batch-column');
  for (const name of request.categorical) claim(name, 'a categorical covariate', 'categorical-columns');
  for (const name of request.continuous) claim(name, 'a continuous covariate', 'continuous-columns');
  const outside = request.splines.filter((name) => !request.continuous.includes(name));
  if (outside.length > 0) throw new FieldError('spline-columns', `a spline is of a continuous covariate; ${outside.map((name) => `"${name}"`).join(', ')} is not one (choose it as continuous too)`);
  if (request.splines.length > 0 && !(Number.isInteger(request.splineDf) && request.splineDf >= 1)) {
    throw new FieldError('spline-columns', `degrees of freedom ${request.splineDf}: expected a whole number of at least 1`);
  }
  return roles;
}

/** The checks the CLI makes of its flags before reading rows: the covariates' roles ({@link checkCovariateRoles}), and features, none with another role. */
function checkRoles(request: RunRequest): void {
  const roles = checkCovariateRoles(request.id === null ? null : { name: request.id, role: 'the id', field: 'id-column' }, request);
  if (request.features.length === 0) throw new FieldError('features', 'choose the feature columns to harmonize (nothing is guessed)');
  const taken = request.features.filter((name) => roles.has(name));
  if (taken.length > 0) {
    throw new FieldError('features', `the features include ${taken.map((name) => `"${name}" (given as ${roles.get(name)})`).join(', ')}; a column is a feature or has another role, not both`);
  }
}

/** Runs a fit whose batches as a whole may not do (one batch only): the problem goes next to the batch column, as the CLI names `--batch`. */
function inBatches<T>(request: RunRequest, data: Table, work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof CombatError && error.code === 'TOO_FEW_BATCHES') throw new FieldError('batch-column', `${data.source}: column "${request.batch}": ${error.detail}`);
    throw error;
  }
}

/** Runs the pairing: a problem goes next to the picker of the first column its message names (the batch's when none). */
function inRoles<T>(request: RunRequest, work: () => T): T {
  try {
    return work();
  } catch (error) {
    const problem = asProblem(error, request.covariates === null ? 'batch-column' : 'covars-file');
    const roles: [readonly string[], Field][] = [
      [request.id === null ? [] : [request.id], 'id-column'],
      [[request.batch], 'batch-column'],
      [request.categorical, 'categorical-columns'],
      [request.continuous, 'continuous-columns'],
    ];
    const named = roles.find(([names]) => names.some((name) => problem.message.includes(`"${name}"`)));
    throw named !== undefined && !(error instanceof FieldError) ? new FieldError(named[1], problem.message) : problem;
  }
}

/** The command that does the same with the CLI. */
function commandLine(request: RunRequest, out: string): string[] {
  const words = ['combat', 'harmonize', '--data', request.data.name];
  if (request.covariates !== null) words.push('--covariates', request.covariates.name);
  if (request.id !== null) words.push('--id', request.id);
  words.push('--batch', request.batch, ...modelFlags(request), '--features', request.features.join(','), '--out', out, '--save-model', MODEL_NAME, '--report', 'report.html', '--diagnostics', DIAGNOSTICS_NAME);
  return words;
}

/** The CLI's flags for the covariates and the mode a request chooses (`--categorical` to `--ref-batch`), shared by the table and volume flows. */
export function modelFlags(request: Pick<RunRequest, 'categorical' | 'continuous' | 'splines' | 'splineDf' | 'mode' | 'meanOnly' | 'refBatch'>): string[] {
  const words: string[] = [];
  if (request.categorical.length > 0) words.push('--categorical', request.categorical.join(','));
  if (request.continuous.length > 0) words.push('--continuous', request.continuous.join(','));
  if (request.splines.length > 0) words.push('--spline', request.splines.map((name) => `${name}:${request.splineDf}`).join(','));
  if (request.mode === 'non-parametric') words.push('--non-parametric');
  if (request.mode === 'no-eb') words.push('--no-eb');
  if (request.meanOnly) words.push('--mean-only');
  if (request.refBatch !== null) words.push('--ref-batch', request.refBatch);
  return words;
}

/**
 * A run's report, as the CLI's `--report` writes it (`@combat/report`'s page): its facts (the
 * app's version, the date, the command that does the same, the mode and the flags) and the files
 * the run read and wrote.
 */
export function reportPage(diagnostics: Diagnostics, model: CombatModel, command: readonly string[], files: Pick<ReportFacts, 'inputs' | 'outputs'>): Promise<string> {
  return renderReport(diagnostics, { version: VERSION, date: new Date(), command, mode: describeMode(model), options: flagPairs(command), ...files });
}

/** The flags of a command line with their values (a flag alone has an empty value). */
function flagPairs(words: readonly string[]): [string, string][] {
  const pairs: [string, string][] = [];
  words.forEach((word, at) => {
    if (!word.startsWith('--')) return;
    const next = words[at + 1];
    pairs.push([word, next === undefined || next.startsWith('--') ? '' : next]);
  });
  return pairs;
}

/** The model's mode as the CLI's report states it (its `describeMode`, and the reference batch). */
export function describeMode(model: CombatModel): string {
  const { options, refBatch } = model;
  const estimate = !options.eb ? 'no empirical Bayes (per-feature estimates)' : options.parametric ? 'parametric empirical Bayes' : 'non-parametric empirical Bayes';
  return `${estimate}, ${options.meanOnly ? 'location only (mean-only)' : 'location and scale'}${refBatch === null ? '' : `; reference batch ${refBatch}, left unchanged`}`;
}

/** Features as the CLI's summary names them: the count, the first and the last. */
export function describeFeatures(names: readonly string[]): string {
  return names.length === 1 ? `1 feature (${names[0]})` : `${names.length} features (${names[0]} ... ${names.at(-1)})`;
}

/** A warning as the CLI prints it, features by name. */
export function describeWarning(warning: CombatWarning, features: readonly string[]): string {
  if (warning.code !== 'unadjusted-features') return warning.message;
  const names = warning.features.map((v) => features[v] ?? `feature ${v + 1}`);
  return `${names.length} feature(s) left unadjusted${warning.batch === undefined ? '' : ` for new batch ${warning.batch}`}: ${describeUnadjusted(names, warning.reasons)}`;
}

/** Lets the worker take the page's messages (a cancel terminates it anyway) between long steps. */
export function yieldToEvents(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
