import { existsSync, readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatVoxel } from '@combat/base/internal';
import type { CombatModel } from '@combat/core';
import { parseDelimited, type ModelFileExtras } from '@combat/io-arrow';
import { readModel } from '@combat/io-arrow/node';
import { REPO_ROOT, loadFamilyCase, temporaryFolder } from '@combat/test-support';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, SEED, filesBelow, writeText } from './helpers.js';
import { runCli, type CliResult } from './run-cli.js';

/**
 * `combat model show` on models saved by the commands themselves: the summary says what the model
 * file holds (every value checked against the model as io-arrow's readModel reads it, and the
 * lines a run's summary shares with it equal to that run's), `--json` says the same, and `--csv`
 * writes every per-feature estimate exactly.
 */

/** The ROI case whose f000 is constant within siteA and f001 zero everywhere: both left unadjusted. */
const ZERO_VARIANCE = join(FIXTURES, 'combat', 'roi-zerovariance', 'input.csv');
const ROI_FLAGS = ['--id', 'subject', '--batch', 'site', '--categorical', 'sex,dx', '--continuous', 'age', '--features', 'f000:f119'];
/** A model file of format version 1 (io-arrow's fixture, written by that version's encoder). */
const VERSION_ONE = join(REPO_ROOT, 'packages', 'io-arrow', 'test', 'fixtures', 'table-model-v1.arrow');

type Saved = { model: CombatModel } & ModelFileExtras;

function expectSuccess(result: CliResult): void {
  expect(result.stderr.replace(/combat: warning: .*\n/g, ''), result.stderr).toBe('');
  expect(result.code).toBe(0);
}

/** A number as the summary prints it: 6 significant digits. */
function printed(x: number): string {
  return String(Number(x.toPrecision(6)));
}

/** A number as --json gives it: NaN and the infinities as strings. */
function inJson(x: number): number | string {
  return Number.isFinite(x) ? x : String(x);
}

/** The lines of a run's summary that start with `prefix`. */
function linesStarting(stdout: string, prefix: string): string[] {
  return stdout.split('\n').filter((line) => line.startsWith(prefix));
}

/** The features a model leaves unadjusted for every batch, and per batch those it leaves besides. */
function unadjusted(model: CombatModel): { all: number[]; byBatch: Map<string, number[]> } {
  const all = Array.from(model.adjusted.keys()).filter((v) => model.adjusted[v] === 0);
  const byBatch = new Map([...model.batches].map(([batch, effects]) => [batch, Array.from(effects.adjusted.keys()).filter((v) => effects.adjusted[v] === 0 && model.adjusted[v] === 1)]));
  return { all, byBatch };
}

/** The --json description a saved model should have but its `covbat` (see {@link expectDescription}), built from the model as readModel reads it. */
function expectedDescription(path: string, formatVersion: number, saved: Saved): unknown {
  const { model, featureNames } = saved;
  const { all, byBatch } = unadjusted(model);
  return {
    source: path,
    formatVersion,
    features: { count: model.features, first: featureNames[0], last: featureNames.at(-1) },
    mask: saved.mask === undefined ? null : { shape: [...saved.mask.shape], affine: Array.from(saved.mask.affine) },
    columns: saved.columns ?? null,
    idColumn: saved.idColumn ?? null,
    covariates: JSON.parse(JSON.stringify(model.coding.terms)),
    designColumns: model.coding.columns,
    mode: { ...model.options, refBatch: model.refBatch },
    batches: [...model.batches].map(([batch, effects]) => ({
      batch,
      samples: effects.samples,
      training: effects.training,
      gammaBar: inJson(effects.gammaBar),
      t2: inJson(effects.t2),
      aPrior: inJson(effects.aPrior),
      bPrior: inJson(effects.bPrior),
      unadjusted: byBatch.get(batch)!.map((v) => featureNames[v]),
    })),
    unadjusted: all.map((v) => featureNames[v]),
  };
}

/**
 * Checks a --json description (parsed) against a saved model: every field but `covbat` equal to
 * {@link expectedDescription}'s, and `covbat` read against the model's own CovBat part: null
 * without one; else its components, its variance, and each value of its mean and of each batch's
 * location and scale, the batches in the model's order.
 */
function expectDescription(description: unknown, path: string, formatVersion: number, saved: Saved): void {
  const { covbat: json, ...rest } = description as { covbat: { components: unknown; variance: unknown; mean: unknown; batches: { batch: string; location: unknown; scale: unknown }[] } | null };
  expect(rest).toEqual(expectedDescription(path, formatVersion, saved));
  const { covbat } = saved.model;
  if (covbat === undefined || json === null) {
    expect(json).toBe(covbat ?? null);
    return;
  }
  expect(Object.keys(json)).toEqual(['components', 'variance', 'mean', 'batches']);
  expect(json.components).toBe(covbat.components);
  expect(json.variance).toBe(covbat.variance);
  expectValues(json.mean, covbat.mean, 'covbat.mean');
  expect(json.batches.map((entry) => Object.keys(entry))).toEqual([...covbat.batches.keys()].map(() => ['batch', 'location', 'scale']));
  expect(json.batches.map((entry) => entry.batch)).toEqual([...covbat.batches.keys()]);
  for (const { batch, location, scale } of json.batches) {
    expectValues(location, covbat.batches.get(batch)!.location, `covbat.batches[${batch}].location`);
    expectValues(scale, covbat.batches.get(batch)!.scale, `covbat.batches[${batch}].scale`);
  }
}

/** A JSON array against a model's typed array: as long, and each value the same (-0 as 0, the one value JSON does not keep). */
function expectValues(json: unknown, values: Float64Array, name: string): void {
  expect(Array.isArray(json), name).toBe(true);
  expect((json as unknown[]).length, name).toBe(values.length);
  values.forEach((x, k) => expect((json as unknown[])[k], `${name}[${k}]`).toBe(x + 0));
}

/**
 * Checks a --csv table against the model: the header, and every column cell by cell. Numbers are
 * written in shortest round-trip form, so each cell reads back as the model's value exactly (NaN
 * as an empty cell; -0 as 0, the one value the text does not keep).
 */
function expectEstimates(path: string, saved: Saved): void {
  const { model, mask } = saved;
  const V = model.features;
  const table = parseDelimited(readFileSync(path, 'utf8'), { source: path });
  const expected = new Map<string, ArrayLike<number>>();
  if (mask !== undefined) {
    // The coordinates as messages name a voxel: "(i, j, k)".
    const coordinates = Array.from(mask.indices, (at) => formatVoxel(at, mask.shape).slice(1, -1).split(', ').map(Number));
    expected.set('voxel', mask.indices);
    ['i', 'j', 'k'].forEach((axis, d) => expected.set(axis, coordinates.map((ijk) => ijk[d]!)));
  }
  expected.set('grandMean', model.grandMean);
  expected.set('varPooled', model.varPooled);
  expected.set('adjusted', model.adjusted);
  model.coding.columns.forEach((column, k) => expected.set(`beta[${column}]`, model.beta.subarray(k * V, (k + 1) * V)));
  for (const [batch, effects] of model.batches) {
    for (const name of ['gammaHat', 'deltaHat', 'gammaStar', 'deltaStar'] as const) expected.set(`${name}[${batch}]`, effects[name]);
    expected.set(`adjusted[${batch}]`, effects.adjusted);
  }
  if (model.covbat !== undefined) {
    expected.set('covbatCenter', model.covbat.center).set('covbatScale', model.covbat.sd);
    for (let k = 0; k < model.covbat.components; k++) expected.set(`covbatLoading[${k + 1}]`, model.covbat.loadings.subarray(k * V, (k + 1) * V));
  }
  expect(table.names).toEqual([...(mask === undefined ? ['feature'] : []), ...expected.keys()]);
  expect(table.rows).toBe(V);
  if (mask === undefined) expect(table.columns.get('feature')!.raw).toEqual(saved.featureNames);
  for (const [name, values] of expected) {
    const cells = table.columns.get(name)!.raw!.map((cell) => (cell === '' ? Number.NaN : Number(cell)));
    expect(cells, name).toEqual(Array.from(values, (x) => x + 0));
  }
}

describe('combat model show on a table model with features left unadjusted', () => {
  let dir: string;
  let path: string;
  let harmonized: CliResult;
  let saved: Saved;

  beforeAll(async () => {
    dir = await temporaryFolder('model-show-table');
    path = join(dir, 'model.arrow');
    harmonized = await runCli('harmonize', '--data', ZERO_VARIANCE, ...ROI_FLAGS, '--out', join(dir, 'out.csv'), '--save-model', path);
    expectSuccess(harmonized);
    saved = await readModel(path);
  });

  it('prints the model\u2019s summary in the words of the run that saved it', async () => {
    const result = await runCli('model', 'show', path);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe(`${path}: a model of ${saved.model.features} features (${saved.featureNames[0]} ... ${saved.featureNames.at(-1)}), format version 2`);
    expect(lines).toContain(`  columns: batch ${saved.columns!.batch}, id ${saved.idColumn}`);
    for (const shared of ['  batches: ', '  covariates: ', '  mode: ', '  unadjusted features: ']) {
      const line = linesStarting(harmonized.stdout, shared);
      expect(line, shared).toHaveLength(1);
      expect(linesStarting(result.stdout, shared), shared).toEqual(line);
    }
    // The case leaves two features unadjusted (its case.json: f000 constant within siteA, f001 zero everywhere), which the summary names.
    const { all } = unadjusted(saved.model);
    expect(all.map((v) => saved.featureNames[v])).toEqual(['f000', 'f001']);
    expect(lines).toContain(`  unadjusted features: ${all.length} (${all.map((v) => saved.featureNames[v]).join(', ')})`);
    expect(lines).toContain(`  design columns: ${saved.model.coding.columns.join(', ')}`);
    const priors = [...saved.model.batches].map(([batch, e]) => `    ${batch}: gammaBar ${printed(e.gammaBar)}, t2 ${printed(e.t2)}, aPrior ${printed(e.aPrior)}, bPrior ${printed(e.bPrior)}`);
    expect(lines.slice(lines.indexOf('  priors:') + 1, -1)).toEqual(priors);
  });

  it('--json prints the same as JSON', async () => {
    const result = await runCli('model', 'show', path, '--json');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expectDescription(JSON.parse(result.stdout), path, 2, saved);
  });

  it('--csv writes every per-feature estimate, NaN where a feature is unadjusted; the summary names the file', async () => {
    const csv = join(dir, 'estimates.csv');
    const result = await runCli('model', 'show', path, '--csv', csv);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.endsWith(`  wrote: ${csv}\n`)).toBe(true);
    expectEstimates(csv, saved);
    const { all } = unadjusted(saved.model);
    const table = parseDelimited(readFileSync(csv, 'utf8'), { source: csv });
    for (const v of all) expect(table.columns.get(`gammaStar[${[...saved.model.batches.keys()][0]}]`)!.raw![v]).toBe('');
  });

  it('a mean-only model without empirical Bayes: priors not used, NaN in --json as "NaN"', async () => {
    const plain = join(dir, 'no-eb.arrow');
    expectSuccess(await runCli('harmonize', '--data', ZERO_VARIANCE, ...ROI_FLAGS, '--no-eb', '--mean-only', '--out', join(dir, 'no-eb.csv'), '--save-model', plain, '--quiet'));
    const model = await readModel(plain);
    const text = await runCli('model', 'show', plain);
    expect(text.stdout).toContain('  mode: no empirical Bayes (per-feature estimates), location only (mean-only)\n  unadjusted');
    expect(text.stdout).toContain('\n  priors (not used: no empirical Bayes):\n');
    const json = await runCli('model', 'show', plain, '--json');
    expectDescription(JSON.parse(json.stdout), plain, 2, model);
    expect([...model.model.batches.values()].every((effects) => Number.isNaN(effects.aPrior))).toBe(true);
    expect(json.stdout).toContain('"aPrior": "NaN"');
  });

  it('--quiet prints nothing, and --csv still writes', async () => {
    const csv = join(dir, 'quiet.csv');
    const result = await runCli('model', 'show', path, '--csv', csv, '--quiet');
    expect(result).toEqual({ code: 0, stdout: '', stderr: '' });
    expectEstimates(csv, saved);
  });
});

describe('combat model show on a spline model with a reference batch, extended with new batches', () => {
  const fixture = loadFamilyCase('newbatch-spline');
  const flags = ['--batch', 'site', '--id', 'subject', '--categorical', 'sex', '--spline', 'age:4', '--ref-batch', 'site_b', '--features', 'f000:f039'];
  let dir: string;
  let path: string;
  let applied: CliResult;
  let saved: Saved;

  beforeAll(async () => {
    dir = await temporaryFolder('model-show-new-batches');
    const trained = join(dir, 'model.arrow');
    expectSuccess(await runCli('harmonize', '--data', join(fixture.dir, 'train.csv'), ...flags, '--out', join(dir, 'train.csv'), '--save-model', trained));
    path = join(dir, 'extended.arrow');
    applied = await runCli('apply', '--model', trained, '--data', join(fixture.dir, 'new.csv'), '--id', 'subject', '--estimate-new-batches', '--out', join(dir, 'new.csv'), '--save-model', path);
    expectSuccess(applied);
    saved = await readModel(path);
  });

  it('names the reference batch, the knots and the batches estimated after the fit', async () => {
    const result = await runCli('model', 'show', path);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    // The reference batch and the spline's knots, in the words of the run's summary.
    for (const shared of ['  covariates: ', '  mode: ']) expect(linesStarting(result.stdout, shared), shared).toEqual(linesStarting(applied.stdout, shared));
    const batches = [...saved.model.batches];
    expect(lines).toContain(`  batches: ${batches.map(([batch, e]) => `${batch} ${e.samples}`).join(', ')} (reference: site_b, left unchanged)`);
    const estimated = batches.filter(([, e]) => !e.training).map(([batch]) => batch);
    expect(estimated).toEqual(fixture.spec.newBatches);
    expect(lines).toContain(`  new batches (estimated after the fit): ${estimated.join(', ')}`);
    const spline = saved.model.coding.terms.find((term) => term.kind === 'spline')!;
    expect(spline.kind === 'spline' && result.stdout.includes(`knots ${spline.knots.map(printed).join(', ')}`)).toBe(true);
  });

  it('--json and --csv say the same as the model', async () => {
    const csv = join(dir, 'estimates.csv');
    const result = await runCli('model', 'show', path, '--json', '--csv', csv);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expectDescription(JSON.parse(result.stdout), path, 2, saved);
    expectEstimates(csv, saved);
  });
});

describe('combat model show on a volume model', () => {
  it('counts the voxels in the mask, and --csv gives each voxel\u2019s index and coordinates (8,624 voxels: several chunks of rows)', async () => {
    const dir = await temporaryFolder('model-show-volumes');
    const path = join(dir, 'model.arrow');
    const fit = await runCli('harmonize-volumes', '--covariates', join(SEED, 'covars.csv'), '--image-column', 'path', '--batch', 'site', '--continuous', 'age', '--mask', join(SEED, 'mask.nii.gz'), '--out-dir', join(dir, 'out'), '--save-model', path, '--quiet');
    expectSuccess(fit);
    const saved = await readModel(path);
    expect(saved.model.features).toBeGreaterThan(2 * 4096); // more than two of the chunks (4,096 rows) the CSV is written in
    const csv = join(dir, 'estimates.csv');
    const result = await runCli('model', 'show', path, '--csv', csv);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')[0]).toBe(`${path}: a volume model of ${saved.mask!.indices.length} voxels in a ${saved.mask!.shape.join('x')} mask, format version 2`);
    expect(result.stdout).toContain('  unadjusted voxels: ');
    expectEstimates(csv, saved);
    expectDescription(JSON.parse((await runCli('model', 'show', path, '--json')).stdout), path, 2, saved);
  });
});

describe('combat model show on a CovBat model', () => {
  it('prints the CovBat line of the run, --json its components, variance and score adjustments, --csv its per-feature arrays', async () => {
    const dir = await temporaryFolder('model-show-covbat');
    const path = join(dir, 'model.arrow');
    const input = join(FIXTURES, 'covbat', 'covbat-npc', 'input.csv');
    const run = await runCli('harmonize', '--data', input, '--id', 'subject', '--batch', 'site', '--categorical', 'sex', '--continuous', 'age', '--features', 'f000:f039', '--covbat', '--covbat-components', '4', '--out', join(dir, 'out.csv'), '--save-model', path);
    expectSuccess(run);
    const saved = await readModel(path);
    expect(saved.model.covbat!.components).toBe(4);
    const text = await runCli('model', 'show', path);
    expect(linesStarting(text.stdout, '  CovBat: ')).toEqual(linesStarting(run.stdout, '  CovBat: '));
    expect(linesStarting(text.stdout, '  CovBat: ')).toHaveLength(1);
    const csv = join(dir, 'estimates.csv');
    const result = await runCli('model', 'show', path, '--json', '--csv', csv);
    expect(result.stderr).toBe('');
    const description = JSON.parse(result.stdout);
    expectDescription(description, path, 3, saved);
    expect(description.covbat.batches.map((b: { batch: string; location: number[] }) => [b.batch, b.location.length])).toEqual([...saved.model.covbat!.batches.keys()].map((batch) => [batch, 4]));
    expectEstimates(csv, saved);
    expect(readFileSync(csv, 'utf8').split('\n')[0]).toContain(',covbatCenter,covbatScale,covbatLoading[1],covbatLoading[2],covbatLoading[3],covbatLoading[4]');
  });
});

describe('combat model show on a model file of format version 1', () => {
  it('says so, and shows the model as it is read (converted)', async () => {
    const result = await runCli('model', 'show', VERSION_ONE, '--json');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expectDescription(JSON.parse(result.stdout), VERSION_ONE, 1, await readModel(VERSION_ONE));
    expect((await runCli('model', 'show', VERSION_ONE)).stdout.split('\n')[0]).toMatch(/, format version 1$/);
  });
});

describe('combat model show refuses what it cannot read or write, naming it, and leaves nothing behind', () => {
  let dir: string;
  let path: string;
  let bytes: Buffer;

  beforeAll(async () => {
    dir = await temporaryFolder('model-show-errors');
    path = join(dir, 'model.arrow');
    expectSuccess(await runCli('harmonize', '--data', ZERO_VARIANCE, ...ROI_FLAGS, '--out', join(dir, 'out.csv'), '--save-model', path, '--quiet'));
    bytes = await readFile(path);
  });

  it('a model file that does not exist', async () => {
    const result = await runCli('model', 'show', join(dir, 'nope.arrow'), '--csv', join(dir, 'nope.csv'));
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`combat: error: ${join(dir, 'nope.arrow')}: cannot be read: ENOENT: no such file or directory, open '${join(dir, 'nope.arrow')}'\n`);
    expect(existsSync(join(dir, 'nope.csv'))).toBe(false);
  });

  it('a folder', async () => {
    const result = await runCli('model', 'show', dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^combat: error: ${dir}: cannot be read: EISDIR`));
  });

  it('a table given as a model', async () => {
    const result = await runCli('model', 'show', ZERO_VARIANCE);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^combat: error: .*input\.csv: not an Arrow IPC model file: it starts with "subject,site/);
  });

  it('a model file damaged after it was written (one byte changed)', async () => {
    const damaged = Buffer.from(bytes);
    damaged[Math.floor(damaged.length / 2)]! ^= 0x01;
    const file = join(dir, 'damaged.arrow');
    await writeFile(file, damaged);
    const result = await runCli('model', 'show', file, '--csv', join(dir, 'damaged.csv'));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^combat: error: ${file}: .*checksum`));
    expect(existsSync(join(dir, 'damaged.csv'))).toBe(false);
  });

  it('a statistics file given as a model', async () => {
    const statistics = join(dir, 'site.arrow');
    expectSuccess(await runCli('fit-partial', '--data', ZERO_VARIANCE, ...ROI_FLAGS, '--out', statistics, '--quiet'));
    const result = await runCli('model', 'show', statistics);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`combat: error: ${statistics}: a ComBat statistics file, not a model file: statistics are merged and finalized into a model first\n`);
  });

  it('--csv naming the model file is refused, even with --overwrite', async () => {
    const model = join(dir, 'model-as.csv');
    await writeFile(model, bytes);
    const result = await runCli('model', 'show', model, '--csv', model, '--overwrite');
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`combat: error: refusing to write ${model} (--csv): it is an input (${model}); choose another output path\n`);
    expect(await readFile(model)).toEqual(bytes);
  });

  it('an existing --csv is refused without --overwrite and replaced with it', async () => {
    const csv = await writeText(dir, 'existing.csv', 'precious\n');
    const refused = await runCli('model', 'show', path, '--csv', csv);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(`combat: error: ${csv} (--csv) exists; choose another path, or pass --overwrite to replace it\n`);
    expect(refused.stdout).toBe('');
    expect(await readFile(csv, 'utf8')).toBe('precious\n');
    expectSuccess(await runCli('model', 'show', path, '--csv', csv, '--overwrite'));
    expectEstimates(csv, await readModel(path));
  });

  it('--csv in a folder that does not exist, and a path that is not a .csv', async () => {
    const before = await filesBelow(dir);
    const missing = await runCli('model', 'show', path, '--csv', join(dir, 'no', 'such', 'estimates.csv'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`combat: error: the directory ${join(dir, 'no', 'such')} of --csv ${join(dir, 'no', 'such', 'estimates.csv')} does not exist; create it first\n`);
    const tsv = await runCli('model', 'show', path, '--csv', join(dir, 'estimates.tsv'));
    expect(tsv.code).toBe(2);
    expect(tsv.stderr).toMatch(/^combat: usage error: --csv .*estimates\.tsv: expected a path ending in \.csv/);
    expect(await filesBelow(dir)).toEqual(before);
  });

  it('no model file is a usage error', async () => {
    const result = await runCli('model', 'show');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^combat: usage error: missing required argument 'model'/);
  });

  it('combat --help lists it, and its --help offers --csv, --json, --quiet and --overwrite', async () => {
    expect((await runCli('--help')).stdout).toMatch(/^ {2}model\b/m);
    const result = await runCli('model', 'show', '--help');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: combat model show [options] <model>');
    for (const flag of ['--csv <file>', '--json', '--quiet', '--overwrite']) expect(result.stdout).toContain(flag);
  });
});
