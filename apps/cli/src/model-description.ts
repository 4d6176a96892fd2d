import { formatVoxel } from '@combat/base/internal';
import type { CovariateTerm } from '@combat/core';
import type { CovariateColumns } from '@combat/io-arrow';
import type { SavedModel } from './saved-model.js';
import { describeCount, describeCovbat, describeFeatures, describeMode, describeTerms, formatNumber } from './summary.js';

/** A number in JSON: finite numbers as numbers, `NaN`, `Infinity` and `-Infinity` as those strings (as the model file writes them). */
export type JsonNumber = number | 'NaN' | 'Infinity' | '-Infinity';

/**
 * What `combat model show --json` prints: a model file's summary. Features are named as the file
 * names them (a volume model's by voxel index, i fastest).
 */
export interface ModelDescription {
  readonly source: string;
  readonly formatVersion: number;
  /** How many features, and the first and last feature's name. */
  readonly features: { readonly count: number; readonly first: string; readonly last: string };
  /** A volume model's mask: its shape and affine (the voxels are the features); null for a table model. */
  readonly mask: { readonly shape: readonly number[]; readonly affine: readonly number[] } | null;
  /** The batch and covariate columns the model was fitted with; null when the file does not say. */
  readonly columns: CovariateColumns | null;
  readonly idColumn: string | null;
  /** The covariates with their coding: categorical levels, continuous ranges (null when unknown), spline knots. */
  readonly covariates: readonly CovariateTerm[];
  /** The design's covariate columns, one `beta` row each. */
  readonly designColumns: readonly string[];
  readonly mode: { readonly eb: boolean; readonly parametric: boolean; readonly meanOnly: boolean; readonly refBatch: string | null };
  /** Each batch in code-point order: its samples, whether the fit was trained on it, its priors. */
  readonly batches: readonly BatchDescription[];
  /** Features left unadjusted for every batch (the fit could not adjust them), by name. */
  readonly unadjusted: readonly string[];
  /** A CovBat model's CovBat part (its per-feature arrays are in `--csv`); null without one. */
  readonly covbat: CovbatDescription | null;
}

/**
 * The CovBat part of a {@link ModelDescription}: the number of leading principal components
 * harmonized and the share of the residuals' variance they explain, the scores' mean per component,
 * and per training batch the location and scale of its scores per component (a score s of
 * component k becomes `mean[k] + (s - mean[k] - location[k]) / scale[k]`).
 */
export interface CovbatDescription {
  readonly components: number;
  readonly variance: number;
  readonly mean: readonly number[];
  readonly batches: readonly { readonly batch: string; readonly location: readonly number[]; readonly scale: readonly number[] }[];
}

/**
 * One batch of a {@link ModelDescription}: `training` false for a batch estimated after the fit
 * (from new samples, with the fit frozen); `unadjusted`, the features left unadjusted for this
 * batch only, besides the model's.
 */
export interface BatchDescription {
  readonly batch: string;
  readonly samples: number;
  readonly training: boolean;
  readonly gammaBar: JsonNumber;
  readonly t2: JsonNumber;
  readonly aPrior: JsonNumber;
  readonly bPrior: JsonNumber;
  readonly unadjusted: readonly string[];
}

/** The priors of a batch, in the order they are printed. */
const PRIORS = ['gammaBar', 't2', 'aPrior', 'bPrior'] as const;

/**
 * A saved model's summary, for `--json`.
 */
export function describeModel(saved: SavedModel): ModelDescription {
  const { model, featureNames, mask } = saved;
  const unadjusted = unadjustedFeatures(saved);
  const names = (features: readonly number[]) => features.map((v) => featureNames[v] as string);
  return {
    source: saved.source,
    formatVersion: saved.formatVersion,
    features: { count: model.features, first: featureNames[0] as string, last: featureNames.at(-1) as string },
    mask: mask === undefined ? null : { shape: [...mask.shape], affine: Array.from(mask.affine) },
    columns: saved.columns ?? null,
    idColumn: saved.idColumn ?? null,
    covariates: model.coding.terms,
    designColumns: model.coding.columns,
    mode: { ...model.options, refBatch: model.refBatch },
    batches: [...model.batches].map(([batch, effects]) => ({
      batch,
      samples: effects.samples,
      training: effects.training,
      ...(Object.fromEntries(PRIORS.map((name) => [name, jsonNumber(effects[name])])) as Record<(typeof PRIORS)[number], JsonNumber>),
      unadjusted: names(unadjusted.byBatch.get(batch) ?? []),
    })),
    unadjusted: names(unadjusted.all),
    covbat:
      model.covbat === undefined
        ? null
        : {
            components: model.covbat.components,
            variance: model.covbat.variance,
            mean: Array.from(model.covbat.mean),
            batches: [...model.covbat.batches].map(([batch, scores]) => ({ batch, location: Array.from(scores.location), scale: Array.from(scores.scale) })),
          },
  };
}

/**
 * A saved model's summary as text, the words of a run's summary where they say the same:
 * features, columns, batches (with the reference and the batches estimated after the fit),
 * covariates, design columns, mode, CovBat's components, features left unadjusted, and each
 * batch's priors. A volume
 * model's voxels are named as (i, j, k). `wrote`: the files the command wrote, if any.
 */
export function formatModelSummary(saved: SavedModel, wrote: readonly string[]): string {
  const { model, mask } = saved;
  const name = mask === undefined ? (v: number) => saved.featureNames[v] as string : (v: number) => formatVoxel(mask.indices[v] as number, mask.shape);
  const unadjusted = unadjustedFeatures(saved);
  const noun = mask === undefined ? 'features' : 'voxels';
  const batches = [...model.batches];
  const estimated = batches.filter(([, effects]) => !effects.training).map(([batch]) => batch);
  const lines = [
    mask === undefined
      ? `${saved.source}: a model of ${describeFeatures(saved.featureNames)}, format version ${saved.formatVersion}`
      : `${saved.source}: a volume model of ${describeCount(model.features, 'voxel')} in a ${mask.shape.join('x')} mask, format version ${saved.formatVersion}`,
    ...(saved.columns === undefined ? [] : [`  columns: batch ${saved.columns.batch}, ${saved.idColumn === undefined ? 'no id column' : `id ${saved.idColumn}`}`]),
    `  batches: ${batches.map(([batch, effects]) => `${batch} ${effects.samples}`).join(', ')}${model.refBatch === null ? '' : ` (reference: ${model.refBatch}, left unchanged)`}`,
    ...(estimated.length === 0 ? [] : [`  new batches (estimated after the fit): ${estimated.join(', ')}`]),
    `  covariates: ${describeTerms(model.coding)}`,
    `  design columns: ${model.coding.columns.length === 0 ? 'none' : model.coding.columns.join(', ')}`,
    `  mode: ${describeMode(model.options)}`,
    ...(model.covbat === undefined ? [] : [describeCovbat(model.covbat)]),
    `  unadjusted ${noun}: ${describeFeatureList(unadjusted.all, name)}`,
    ...[...unadjusted.byBatch].map(([batch, features]) => `  unadjusted ${noun} for ${batch} only: ${describeFeatureList(features, name)}`),
    model.options.eb ? '  priors:' : '  priors (not used: no empirical Bayes):',
    ...batches.map(([batch, effects]) => `    ${batch}: ${PRIORS.map((prior) => `${prior} ${formatNumber(effects[prior])}`).join(', ')}`),
    ...(wrote.length === 0 ? [] : [`  wrote: ${wrote.join(', ')}`]),
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * The features a saved model leaves unadjusted: for every batch (`all`), and for each batch that
 * leaves more, those others (`byBatch`, only batches with some).
 */
function unadjustedFeatures({ model }: SavedModel): { all: number[]; byBatch: Map<string, number[]> } {
  const all: number[] = [];
  model.adjusted.forEach((flag, v) => flag === 0 && all.push(v));
  const byBatch = new Map<string, number[]>();
  for (const [batch, effects] of model.batches) {
    const more: number[] = [];
    effects.adjusted.forEach((flag, v) => flag === 0 && model.adjusted[v] === 1 && more.push(v));
    if (more.length > 0) byBatch.set(batch, more);
  }
  return { all, byBatch };
}

/** Features as a count with the first ten names: `none`, `2 (f003, f010)`, `12 (f000, ..., f009, ...)`. */
function describeFeatureList(features: readonly number[], name: (v: number) => string): string {
  if (features.length === 0) return 'none';
  return `${features.length} (${features.slice(0, 10).map(name).join(', ')}${features.length > 10 ? ', ...' : ''})`;
}

function jsonNumber(x: number): JsonNumber {
  return Number.isFinite(x) ? x : (String(x) as JsonNumber);
}
