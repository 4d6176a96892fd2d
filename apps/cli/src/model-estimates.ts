import { TableEncoder, tableFromColumns } from '@combat/io-arrow';
import type { SavedModel } from './saved-model.js';

/** Rows formatted at once: the text of a chunk stays small whatever the number of features. */
const CHUNK_ROWS = 4096;

/** A batch's estimates, one column each, in the order they are written. */
const BATCH_ESTIMATES = ['gammaHat', 'deltaHat', 'gammaStar', 'deltaStar'] as const;

/**
 * The per-feature estimates of a saved model as CSV bytes, a chunk of rows at a time (each chunk's
 * bytes follow the last's; together one table). One row per feature: its name (`feature`), or for
 * a volume model its voxel (`voxel`, the index in i-fastest order, and its coordinates `i`, `j`,
 * `k`); then `grandMean`, `varPooled`, `adjusted` (1 or 0), `beta[<design column>]` for each
 * design column, and for each batch `gammaHat[<batch>]`, `deltaHat[<batch>]`,
 * `gammaStar[<batch>]`, `deltaStar[<batch>]` and `adjusted[<batch>]`, and for a CovBat model
 * `covbatCenter`, `covbatScale` and `covbatLoading[<k>]` per component (k from 1), named as the
 * model file names its columns. Numbers are in shortest round-trip form; a NaN estimate (a feature left
 * unadjusted) is an empty cell.
 */
export function* estimateChunks(saved: SavedModel): Generator<Uint8Array> {
  const { model, mask } = saved;
  const V = model.features;
  const columns = estimateColumns(saved);
  const encoder = new TableEncoder('csv');
  for (let start = 0; start < V; start += CHUNK_ROWS) {
    const end = Math.min(V, start + CHUNK_ROWS);
    // The numeric columns are `replaced`: their text cells are never read.
    const blank = new Array<string>(end - start).fill('');
    const text: Record<string, readonly string[]> = mask === undefined ? { feature: saved.featureNames.slice(start, end) } : {};
    for (const name of columns.keys()) text[name] = blank;
    const chunk = tableFromColumns(text, { source: saved.source });
    yield encoder.encode(chunk, new Map([...columns].map(([name, values]) => [name, values.subarray(start, end)])));
  }
  yield encoder.finish();
}

/** The numeric columns of the estimates table, by name, in order, one value per feature. */
function estimateColumns({ model, mask }: SavedModel): Map<string, Float64Array> {
  const V = model.features;
  const columns = new Map<string, Float64Array>();
  if (mask !== undefined) {
    const [nx, ny] = mask.shape as [number, number, number];
    columns.set('voxel', Float64Array.from(mask.indices));
    columns.set('i', Float64Array.from(mask.indices, (at) => at % nx));
    columns.set('j', Float64Array.from(mask.indices, (at) => Math.floor(at / nx) % ny));
    columns.set('k', Float64Array.from(mask.indices, (at) => Math.floor(at / (nx * ny))));
  }
  columns.set('grandMean', model.grandMean);
  columns.set('varPooled', model.varPooled);
  columns.set('adjusted', Float64Array.from(model.adjusted));
  model.coding.columns.forEach((column, k) => columns.set(`beta[${column}]`, model.beta.subarray(k * V, (k + 1) * V)));
  for (const [batch, effects] of model.batches) {
    for (const name of BATCH_ESTIMATES) columns.set(`${name}[${batch}]`, effects[name]);
    columns.set(`adjusted[${batch}]`, Float64Array.from(effects.adjusted));
  }
  const { covbat } = model;
  if (covbat !== undefined) {
    columns.set('covbatCenter', covbat.center).set('covbatScale', covbat.sd);
    for (let k = 0; k < covbat.components; k++) columns.set(`covbatLoading[${k + 1}]`, covbat.loadings.subarray(k * V, (k + 1) * V));
  }
  return columns;
}
