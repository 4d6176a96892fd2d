import { describeValue, isRecord } from '@combat/base/internal';
import { requireArray, requireNonEmptyString, requireSortedLabels, type Fail } from './coding-checks.js';
import type { CovariateTerm } from './design.js';
import { checkMeta, type ModelMeta } from './model-checks.js';

/**
 * Version 1 of the serialized model, read and converted to the current layout: its coding held
 * the batches (`batch:<label>` design columns first, then categorical and continuous columns), its
 * metadata `batchSizes`, its `beta` a row per design column, and one `adjusted` for every batch.
 * Every batch was a training batch; continuous covariates had no recorded range.
 */
export function upgradeVersion1(value: unknown, arrays: Record<string, unknown>, fail: Fail): { meta: ModelMeta; arrays: Record<string, unknown> } {
  if (!isRecord(value)) return fail(`meta is ${describeValue(value)}; expected an object { features, coding, batchSizes, options }`);
  const coding = value.coding;
  if (!isRecord(coding)) return fail(`coding is ${describeValue(coding)}; expected a design coding { batches, refBatch, categorical, continuous, columns }`);
  const batches = requireSortedLabels(coding.batches, 'coding.batches', fail);
  const terms: CovariateTerm[] = [
    ...requireArray(coding.categorical, 'coding.categorical', fail).map((entry, k): CovariateTerm => {
      const at = `coding.categorical[${k}]`;
      if (!isRecord(entry)) return fail(`${at} is ${describeValue(entry)}; expected { name, levels, dropped }`);
      const levels = requireSortedLabels(entry.levels, `${at}.levels`, fail);
      if (levels.length === 0 || entry.dropped !== levels[0]) fail(`${at}.dropped is ${describeValue(entry.dropped)}; expected the first level`);
      return { kind: 'categorical', name: requireNonEmptyString(entry.name, `${at}.name`, fail), levels };
    }),
    ...requireArray(coding.continuous, 'coding.continuous', fail).map((name, k): CovariateTerm => ({ kind: 'continuous', name: requireNonEmptyString(name, `coding.continuous[${k}]`, fail), range: null })),
  ];
  const columns = requireArray(coding.columns, 'coding.columns', fail);
  const batchColumns = batches.map((batch) => `batch:${batch}`);
  if (batchColumns.some((column, b) => columns[b] !== column)) fail(`coding.columns is ${describeValue(columns)}; expected the batch columns (${batchColumns.join(', ')}) first`);
  const sizes = requireArray(value.batchSizes, 'batchSizes', fail);
  if (sizes.length !== batches.length) fail(`batchSizes is ${describeValue(sizes)}; expected ${batches.length} sample counts, one per batch (${batches.join(', ')})`);
  const meta = checkMeta(
    {
      features: value.features,
      coding: { terms, columns: columns.slice(batches.length) },
      refBatch: coding.refBatch,
      options: value.options,
      batches: batches.map((batch, b) => ({ batch, samples: sizes[b], training: true })),
    },
    fail,
  );
  const V = meta.features;
  const B = batches.length;
  const p = columns.length;
  const beta = arrays.beta;
  if (!(beta instanceof Float64Array) || beta.length !== p * V) return fail(`arrays.beta is ${describeValue(beta)}; expected a Float64Array of length ${p * V}`);
  const adjusted = arrays.adjusted;
  if (!(adjusted instanceof Uint8Array) || adjusted.length !== V) return fail(`arrays.adjusted is ${describeValue(adjusted)}; expected a Uint8Array of length ${V}`);
  const batchAdjusted = new Uint8Array(B * V);
  for (let b = 0; b < B; b++) batchAdjusted.set(adjusted, b * V);
  return { meta, arrays: { ...arrays, beta: beta.subarray(B * V), batchAdjusted } };
}
