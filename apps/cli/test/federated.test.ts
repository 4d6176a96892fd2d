import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CombatModel } from '@combat/core';
import { parseDelimited, sealModelFile } from '@combat/io-arrow';
import { readModel, readStatistics } from '@combat/io-arrow/node';
import { readNifti, writeNifti } from '@combat/io-nifti/node';
import { expectClose, loadFamilyCase, random, readCsvFixture, temporaryFolder } from '@combat/test-support';
import { writeFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, SEED, filesBelow, writeText } from './helpers.js';
import { runCli, type CliResult } from './run-cli.js';

/**
 * The consortium recipe, run as a user runs it: each shard of the data goes through
 * `combat fit-partial`, `combat merge` fits the model from the statistics files, and each shard is
 * adjusted with `combat apply` (or `apply-volumes`) and the merged model. The merged model equals
 * the model of `combat harmonize` on all the data (every estimate within 1e-12, relative to
 * max(1, |value|)), and so do the adjusted rows, whatever the split: by site, shards across sites,
 * one site across shards, shards that lack a categorical level; in every mode.
 */
const TOLERANCE = 1e-12;
const MODES: Record<string, string[]> = {
  parametric: [],
  'non-parametric': ['--non-parametric'],
  'no EB': ['--no-eb'],
  'mean-only': ['--mean-only'],
  'reference batch': ['--ref-batch', 'siteB', '--non-parametric'],
};

function expectSuccess(result: CliResult): void {
  expect(result.stderr.replace(/combat: warning: .*\n/g, ''), result.stderr).toBe('');
  expect(result.code).toBe(0);
}

/**
 * The merged model's estimates of the volumes-seed case against the pooled run's. The pooled fit of
 * those volumes itself moves by up to 3.9e-12 (deltaStar, with a reference batch; deltaHat 1.3e-12)
 * when the same volumes come in reverse order: the fit expands its sums, and merging reorders them
 * as much. The estimates are held to 1e-10, a little above that; the harmonized voxels to 1e-12.
 */
const VOLUME_MODEL_TOLERANCE = 1e-10;

/** Two models are the same fit: the same coding and batches, every estimate within the tolerance. */
function expectSameModel(actual: CombatModel, expected: CombatModel, label: string, tolerance = TOLERANCE): void {
  expect(actual.coding, label).toEqual(expected.coding);
  expect(actual.options, label).toEqual(expected.options);
  expect(actual.refBatch, label).toBe(expected.refBatch);
  expect(actual.adjusted, label).toEqual(expected.adjusted);
  for (const name of ['beta', 'grandMean', 'varPooled'] as const) expectClose(actual[name], expected[name], tolerance, `${label} ${name}`);
  expect([...actual.batches.keys()], label).toEqual([...expected.batches.keys()]);
  for (const [batch, effects] of expected.batches) {
    const merged = actual.batches.get(batch)!;
    expect(merged.samples, `${label} ${batch}`).toBe(effects.samples);
    for (const name of ['gammaHat', 'deltaHat', 'gammaStar', 'deltaStar'] as const) expectClose(merged[name], effects[name], tolerance, `${label} ${batch}.${name}`);
  }
}

/** A table's rows by subject: each feature's value. */
function rowsById(path: string, features: readonly string[]): Map<string, number[]> {
  const table = parseDelimited(readFileSync(path, 'utf8'), { source: path });
  const ids = table.columns.get('subject')!.cells as string[];
  return new Map(ids.map((id, row) => [id, features.map((name) => table.columns.get(name)!.numbers![row]!)]));
}

/** The CSV lines of a table: its header and its rows. */
function csvLines(path: string): { header: string; rows: string[] } {
  const [header, ...rows] = readFileSync(path, 'utf8').trim().split('\n');
  return { header: header!, rows };
}

/** A seeded shuffle of 0 .. n-1. */
function shuffled(n: number, seed: number): number[] {
  const next = random(seed);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

/** The column of a CSV row. */
function cell(header: string, row: string, column: string): string {
  return row.split(',')[header.split(',').indexOf(column)]!;
}

/** Splits of a table's rows, as lists of row indices, by the cells of `header`. */
function tableSplits(header: string, rows: readonly string[]): Record<string, number[][]> {
  const all = rows.map((_, i) => i);
  const where = (test: (row: string) => boolean) => all.filter((i) => test(rows[i]!));
  const sites = [...new Set(rows.map((row) => cell(header, row, 'site')))].sort();
  const order = shuffled(rows.length, 7);
  const siteA = where((row) => cell(header, row, 'site') === sites[0]);
  return {
    'by site': sites.map((site) => where((row) => cell(header, row, 'site') === site)),
    'shards across sites': [0, 1, 2, 3].map((s) => order.filter((_, k) => k % 4 === s).sort((a, b) => a - b)),
    'one site across shards': [siteA.filter((_, k) => k % 2 === 0), siteA.filter((_, k) => k % 2 === 1), ...sites.slice(1).map((site) => where((row) => cell(header, row, 'site') === site))],
    'shards without a level': [where((row) => cell(header, row, 'sex') === 'F'), where((row) => cell(header, row, 'sex') === 'M' && cell(header, row, 'dx') !== 'AD'), where((row) => cell(header, row, 'sex') === 'M' && cell(header, row, 'dx') === 'AD')],
  };
}

describe.each([
  ['roi-parametric', 'f000:f119', Object.keys(MODES)],
  ['roi-missing-parametric', 'f000:f119', ['parametric', 'reference batch']],
])('tables (%s): fit-partial on each shard, merge, then apply on each shard, give the pooled harmonize', (name, features, modes) => {
  const input = join(FIXTURES, 'combat', name, 'input.csv');
  const { header, rows } = csvLines(input);
  const columns = readCsvFixture(input).columns;
  const names = columns.slice(columns.indexOf('f000'), columns.indexOf('f119') + 1);
  const flags = ['--id', 'subject', '--batch', 'site', '--categorical', 'sex,dx', '--continuous', 'age', '--features', features];
  let dir: string;
  const pooled = new Map<string, { model: CombatModel; rows: Map<string, number[]> }>();

  // One harmonize a mode: on a busy machine, more than a hook's default 10 s.
  beforeAll(async () => {
    dir = await temporaryFolder(`federated-${name}`);
    for (const mode of modes) {
      const [out, model] = [join(dir, `pooled-${mode}.csv`), join(dir, `pooled-${mode}.arrow`)];
      expectSuccess(await runCli('harmonize', '--data', input, ...flags, ...MODES[mode]!, '--out', out, '--save-model', model));
      pooled.set(mode, { model: (await readModel(model)).model, rows: rowsById(out, names) });
    }
  }, 60_000);

  it.each(Object.entries(tableSplits(header, rows)))('split %s', async (split, shards) => {
    const files = [];
    for (const [s, shard] of shards.entries()) {
      const data = await writeText(dir, `${split}-${s}.csv`, `${[header, ...shard.map((i) => rows[i])].join('\n')}\n`);
      const statistics = join(dir, `${split}-${s}.arrow`);
      expectSuccess(await runCli('fit-partial', '--data', data, ...flags, '--out', statistics));
      files.push({ data, statistics });
    }
    for (const mode of modes) {
      const model = join(dir, `${split}-${mode}.arrow`);
      const merged = await runCli('merge', ...files.map((file) => file.statistics), ...MODES[mode]!, '--save-model', model);
      expectSuccess(merged);
      expect(merged.stdout).toContain(`merged ${files.length} statistics files: 120 features (f000 ... f119) of ${rows.length} samples\n`);
      const reference = pooled.get(mode)!;
      expectSameModel((await readModel(model)).model, reference.model, `${split}, ${mode}`);
      // Each shard adjusted with the merged model gives its rows of the pooled output.
      if (mode !== 'parametric' && split !== 'by site') continue;
      for (const [s, file] of files.entries()) {
        const out = join(dir, `${split}-${mode}-${s}-applied.csv`);
        expectSuccess(await runCli('apply', '--model', model, '--data', file.data, '--out', out));
        for (const [id, values] of rowsById(out, names)) expectClose(values, reference.rows.get(id)!, TOLERANCE, `${split}, ${mode}, ${id}`);
      }
    }
  });
});

describe('tables with a spline of explicit knots (spline-parametric of the family cases)', () => {
  it('fit-partial by site, merged, equals harmonize with the same knots; each site applies the merged model', async () => {
    const fixture = loadFamilyCase('spline-parametric');
    const dir = await temporaryFolder('federated-spline');
    const { header, rows } = csvLines(join(fixture.dir, 'train.csv'));
    const spline = fixture.spec.splines[0]!;
    const flags = ['--id', 'subject', '--batch', 'site', '--categorical', 'sex', '--spline', `age:knots=${spline.knots.join(',')}:boundary=${spline.boundaryKnots.join(',')}`, '--features', 'f000:f039'];
    const names = Array.from({ length: 40 }, (_, v) => `f${String(v).padStart(3, '0')}`);
    const pooledModel = join(dir, 'pooled.arrow');
    expectSuccess(await runCli('harmonize', '--data', join(fixture.dir, 'train.csv'), ...flags, '--out', join(dir, 'pooled.csv'), '--save-model', pooledModel));
    // The explicit knots are R's for df = 4: the pooled fit is sva's.
    expectClose(Float64Array.from([...rowsById(join(dir, 'pooled.csv'), names).values()].flat()), fixture.expectedTrain, 1e-9, 'pooled against sva');
    const sites = [...new Set(rows.map((row) => cell(header, row, 'site')))];
    const files = [];
    for (const site of sites) {
      const data = await writeText(dir, `${site}.csv`, `${[header, ...rows.filter((row) => cell(header, row, 'site') === site)].join('\n')}\n`);
      const statistics = join(dir, `${site}.arrow`);
      const partial = await runCli('fit-partial', '--data', data, ...flags, '--out', statistics);
      expectSuccess(partial);
      expect(partial.stdout).toContain(`age (natural spline, df 4, knots ${spline.knots.join(', ')}; trained on`);
      files.push({ data, statistics });
    }
    const model = join(dir, 'merged.arrow');
    expectSuccess(await runCli('merge', ...files.map((file) => file.statistics), '--save-model', model));
    expectSameModel((await readModel(model)).model, (await readModel(pooledModel)).model, 'spline');
    const pooledRows = rowsById(join(dir, 'pooled.csv'), names);
    for (const [s, file] of files.entries()) {
      const out = join(dir, `applied-${s}.csv`);
      expectSuccess(await runCli('apply', '--model', model, '--data', file.data, '--out', out));
      for (const [id, values] of rowsById(out, names)) expectClose(values, pooledRows.get(id)!, TOLERANCE, id);
    }
  });
});

describe('volumes (volumes-seed): fit-partial on each shard, merge, then apply-volumes on each shard, give the pooled harmonize-volumes', () => {
  const { header, rows } = csvLines(join(SEED, 'covars.csv'));
  // Paths made absolute, so the shards' tables can live elsewhere; a sex column to preserve.
  const absolute = rows.map((row, i) => row.replace(/images\//, `${join(SEED, 'images')}/`) + (i % 3 === 0 ? ',M' : ',F'));
  const table = (shard: readonly number[]) => `${[`${header},sex`, ...shard.map((i) => absolute[i])].join('\n')}\n`;
  const subjects = rows.map((row) => cell(header, row, 'subject'));
  const bySite = ['Scanner_A', 'Scanner_B', 'Scanner_C'].map((site) => rows.flatMap((row, i) => (cell(header, row, 'site') === site ? [i] : [])));
  const splits: Record<string, number[][]> = {
    'by site': bySite,
    'shards across sites': [0, 1, 2].map((s) => rows.flatMap((_, i) => (i % 3 === s ? [i] : []))),
    'one site across shards': [bySite[0]!.slice(0, 3), bySite[0]!.slice(3), bySite[1]!, bySite[2]!],
  };
  const ageAndSex = ['--continuous', 'age', '--categorical', 'sex'];
  const cases: [string, string, string[], string[]][] = [
    ...Object.keys(MODES).map((mode): [string, string, string[], string[]] => [`by site, ${mode}`, 'by site', MODES[mode]!.map((flag) => flag.replace('siteB', 'Scanner_B')), ageAndSex]),
    ['shards across sites, parametric', 'shards across sites', [], ageAndSex],
    ['one site across shards, reference batch, age only', 'one site across shards', ['--ref-batch', 'Scanner_A'], ['--continuous', 'age']],
    ['by site, a spline of age with explicit knots', 'by site', [], ['--spline', 'age:knots=40,55:boundary=20,80', '--categorical', 'sex']],
  ];
  let dir: string;
  beforeAll(async () => {
    dir = await temporaryFolder('federated-volumes');
  });

  it.each(cases)('%s', async (label, split, mode, covariates) => {
    const run = label.replace(/[^\w]+/g, '-');
    const all = await writeText(dir, `${run}-all.csv`, table(subjects.map((_, i) => i)));
    const volumeFlags = ['--image-column', 'path', '--batch', 'site', ...covariates, '--mask', join(SEED, 'mask.nii.gz')];
    const pooledModel = join(dir, `${run}-pooled.arrow`);
    expectSuccess(await runCli('harmonize-volumes', '--covariates', all, ...volumeFlags, ...mode, '--out-dir', join(dir, `${run}-pooled`), '--dtype', 'float64', '--save-model', pooledModel));
    const shards = splits[split]!;
    const files = [];
    for (const [s, shard] of shards.entries()) {
      const covariatesFile = await writeText(dir, `${run}-${s}.csv`, table(shard));
      const statistics = join(dir, `${run}-${s}.arrow`);
      const partial = await runCli('fit-partial', '--covariates', covariatesFile, ...volumeFlags, '--out', statistics);
      expectSuccess(partial);
      expect(partial.stdout).toMatch(new RegExp(`^accumulated ${shard.length} volumes \\(\\d+ voxels in the mask\\)\\n`));
      files.push({ covariatesFile, statistics, shard });
    }
    const model = join(dir, `${run}-merged.arrow`);
    const merged = await runCli('merge', ...files.map((file) => file.statistics), ...mode, '--save-model', model);
    expectSuccess(merged);
    expectSameModel((await readModel(model)).model, (await readModel(pooledModel)).model, run, VOLUME_MODEL_TOLERANCE);
    for (const [s, file] of files.entries()) {
      const out = join(dir, `${run}-applied-${s}`);
      expectSuccess(await runCli('apply-volumes', '--model', model, '--covariates', file.covariatesFile, '--image-column', 'path', '--out-dir', out, '--dtype', 'float64'));
      for (const i of file.shard) {
        const [applied, pooled] = await Promise.all([readNifti(join(out, `${subjects[i]}.nii.gz`)), readNifti(join(dir, `${run}-pooled`, `${subjects[i]}.nii.gz`))]);
        expectClose(applied.data, pooled.data, TOLERANCE, `${run} ${subjects[i]}`);
      }
    }
  });
});

describe('what fit-partial and merge refuse, naming the file (both files when two disagree)', async () => {
  const dir = await temporaryFolder('federated-errors');
  const input = join(FIXTURES, 'combat', 'roi-parametric', 'input.csv');
  const { header, rows } = csvLines(input);
  const site = (name: string) => writeText(dir, `${name}.csv`, `${[header, ...rows.filter((row) => cell(header, row, 'site') === name)].join('\n')}\n`);
  const [siteA, siteB] = [await site('siteA'), await site('siteB')];
  const flags = ['--batch', 'site', '--categorical', 'sex,dx', '--continuous', 'age', '--features', 'f000:f119'];
  const partial = async (data: string, name: string, extra: string[] = flags) => {
    const out = join(dir, name);
    expectSuccess(await runCli('fit-partial', '--data', data, ...extra, '--out', out));
    return out;
  };
  const a = await partial(siteA, 'a.arrow');
  const b = await partial(siteB, 'b.arrow');
  const never = join(dir, 'never.arrow');

  it('mode flags in fit-partial: they belong to merge', async () => {
    const result = await runCli('fit-partial', '--data', siteA, ...flags, '--ref-batch', 'siteA', '--no-eb', '--out', never);
    expect(result).toMatchObject({ code: 2, stderr: 'combat: usage error: --ref-batch siteA --no-eb: a partial fit writes statistics, which are the same in every mode; give the mode to combat merge, which fits the model\n' });
  });

  it('a spline by degrees of freedom in fit-partial: knots must be agreed', async () => {
    const result = await runCli('fit-partial', '--data', siteA, '--batch', 'site', '--spline', 'age:3', '--features', 'f000:f119', '--out', never);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "combat: usage error: --spline age:3: a partial fit needs the knots every site agreed on, as --spline COLUMN:knots=K1,K2,...:boundary=LOW,HIGH (knots chosen from each site's own values would differ between sites, and their statistics would not merge)\n",
    );
    const malformed = await runCli('fit-partial', '--data', siteA, '--batch', 'site', '--spline', 'age:knots=40,x:boundary=20,90,icv', '--features', 'f000:f119', '--out', never);
    expect(malformed.stderr).toBe('combat: usage error: --spline age:knots=40,x:boundary=20,90: expected COLUMN:knots=K1,K2,...:boundary=LOW,HIGH with numbers for the interior knots and the two boundary knots\n');
  });

  it('table and volume flags together, or neither', async () => {
    const mixed = await runCli('fit-partial', '--data', siteA, ...flags, '--mask', join(SEED, 'mask.nii.gz'), '--out', never);
    expect(mixed).toMatchObject({ code: 2, stderr: 'combat: usage error: --data, --features (a table) and --mask (volumes) do not go together; fit a table with --data, or volumes with --covariates, --image-column and --mask\n' });
    const neither = await runCli('fit-partial', '--batch', 'site', '--out', never);
    expect(neither).toMatchObject({ code: 2, stderr: 'combat: usage error: give --data TABLE (a table), or --covariates TABLE --image-column COLUMN --mask NIFTI (volumes)\n' });
    const half = await runCli('fit-partial', '--covariates', join(SEED, 'covars.csv'), '--image-column', 'path', '--batch', 'site', '--out', never);
    expect(half).toMatchObject({ code: 2, stderr: 'combat: usage error: volumes need --mask too\n' });
  });

  it('mismatched feature columns, naming both files', async () => {
    const fewer = await partial(siteB, 'fewer.arrow', [...flags.slice(0, -1), 'f000:f059']);
    const result = await runCli('merge', a, fewer, '--save-model', never);
    expect(result).toMatchObject({ code: 1, stderr: `combat: error: ${fewer}: has 60 features, but ${a} has 120; every site must give the same --features\n` });
  });

  it('files naming different id columns merge; the outputs name none, and a warning names the files', async () => {
    const named = join(dir, 'named.arrow');
    expectSuccess(await runCli('fit-partial', '--data', siteB, '--id', 'subject', ...flags, '--out', named));
    const [model, merged] = [join(dir, 'ids-model.arrow'), join(dir, 'ids-merged.arrow')];
    const result = await runCli('merge', a, named, '--save-model', model, '--out', merged, '--quiet');
    expect(result).toMatchObject({
      code: 0,
      stderr: `combat: warning: the files name different id columns (none in ${a}, "subject" in ${named}); the merged outputs name none (it only names rows in messages: give --id to combat apply)\n`,
    });
    expect((await readModel(model)).idColumn).toBeUndefined();
    expect((await readStatistics(merged)).idColumn).toBeUndefined();
  });

  it('mismatched covariates, naming both files', async () => {
    const noDx = await partial(siteB, 'no-dx.arrow', ['--batch', 'site', '--categorical', 'sex', '--continuous', 'age', '--features', 'f000:f119']);
    const result = await runCli('merge', a, noDx, '--save-model', never);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`combat: error: ${noDx}: its categorical columns are ["sex"], but ["sex","dx"] in ${a}; every site must name the covariate columns the same\n`);
  });

  it('mismatched knots, naming both files', async () => {
    const spline = (knots: string) => ['--batch', 'site', '--categorical', 'sex,dx', '--spline', `age:knots=${knots}:boundary=15,90`, '--features', 'f000:f119'];
    const [x, y] = [await partial(siteA, 'knots-a.arrow', spline('40,60')), await partial(siteB, 'knots-b.arrow', spline('40,65'))];
    const result = await runCli('merge', x, y, '--save-model', never);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`combat: error: ${y}: its spline of "age" has knots 40, 65 and boundary knots 15, 90, but ${x}'s has knots 40, 60 and boundary knots 15, 90; every site must give the same --spline age:knots=...:boundary=...\n`);
  });

  it('mismatched masks, and a table merged with volumes, naming both files', async () => {
    const seed = readCsvFixture(join(SEED, 'covars.csv'));
    const covariates = await writeText(dir, 'volumes.csv', `subject,site,age,path\n${seed.rows.slice(0, 4).map((row) => `${row.subject},${row.site},${row.age},${join(SEED, row.path as string)}`).join('\n')}\n`);
    const mask = await readNifti(join(SEED, 'mask.nii.gz'));
    const smaller = new Uint8Array(mask.data.length);
    smaller.set(Uint8Array.from(mask.data as ArrayLike<number>).subarray(0, mask.data.length / 2));
    await writeNifti(join(dir, 'half-mask.nii.gz'), { ...mask, data: smaller });
    const volumes = async (name: string, maskPath: string) => {
      const out = join(dir, name);
      expectSuccess(await runCli('fit-partial', '--covariates', covariates, '--image-column', 'path', '--batch', 'site', '--continuous', 'age', '--mask', maskPath, '--out', out));
      return out;
    };
    const [whole, half] = [await volumes('whole.arrow', join(SEED, 'mask.nii.gz')), await volumes('half.arrow', join(dir, 'half-mask.nii.gz'))];
    const masks = await runCli('merge', whole, half, '--save-model', never);
    expect(masks.code).toBe(1);
    expect(masks.stderr).toMatch(new RegExp(`^combat: error: ${half}: its mask holds other voxels than ${whole}'s \\(\\d+ and \\d+ voxels\\); every site must use the same mask\\n$`));
    const kinds = await runCli('merge', a, whole, '--save-model', never);
    expect(kinds.stderr).toMatch(new RegExp(`^combat: error: ${whole}: holds the statistics of volumes \\(a mask of \\d+ voxels\\), but ${a} those of a table; merge files of one kind\\n$`));
  });

  it('a model file given as statistics, and a statistics file given as a model', async () => {
    const model = join(dir, 'model.arrow');
    expectSuccess(await runCli('harmonize', '--data', input, ...flags, '--out', join(dir, 'out.csv'), '--save-model', model));
    const result = await runCli('merge', a, model, '--save-model', never);
    expect(result).toMatchObject({ code: 1, stderr: `combat: error: ${model}: a ComBat model file, not a statistics file: a fitted model is applied, not merged\n` });
    const reverse = await runCli('apply', '--model', a, '--data', siteA, '--out', join(dir, 'never.csv'));
    expect(reverse).toMatchObject({ code: 1, stderr: `combat: error: ${a}: a ComBat statistics file, not a model file: statistics are merged and finalized into a model first\n` });
  });

  it('a statistics file of an unknown format version, or changed after it was written', async () => {
    const bytes = readFileSync(b);
    const text = Buffer.from(bytes).toString('latin1');
    expect(text).toContain('"formatVersion":1,');
    const later = join(dir, 'later.arrow');
    await writeFile(later, sealModelFile(Buffer.from(text.replace('"formatVersion":1,', '"formatVersion":7,'), 'latin1')));
    const result = await runCli('merge', a, later, '--save-model', never);
    expect(result).toMatchObject({ code: 1, stderr: `combat: error: ${later}: formatVersion is a number (7); expected 1, the only version of statistics files this version of combat reads\n` });
    const damaged = join(dir, 'damaged.arrow');
    await writeFile(damaged, Buffer.from(text.replace('"formatVersion":1,', '"formatVersion":7,'), 'latin1'));
    expect((await runCli('merge', a, damaged, '--save-model', never)).stderr).toMatch(new RegExp(`^combat: error: ${damaged}: the file does not match its checksum`));
  });

  it('a file given twice, or a copy of one: its samples would count twice', async () => {
    const twice = await runCli('merge', a, b, a, '--save-model', never);
    expect(twice).toMatchObject({ code: 2, stderr: `combat: usage error: ${a} is given twice (also as ${a}); its samples would count twice\n` });
    const copy = join(dir, 'copy.arrow');
    await writeFile(copy, readFileSync(a));
    const copied = await runCli('merge', a, b, copy, '--save-model', never);
    expect(copied).toMatchObject({ code: 2, stderr: `combat: usage error: ${copy} holds the same statistics as ${a} (a copy?); its samples would count twice\n` });
  });

  it('merge needs an output; a model of one batch is an error naming the files; nothing is left behind', async () => {
    expect(await runCli('merge', a, b)).toMatchObject({ code: 2, stderr: 'combat: usage error: give --save-model FILE (the model, for combat apply or apply-volumes), --out FILE (the merged statistics), or both\n' });
    expect(await runCli('merge', a, b, '--mean-only', '--out', never)).toMatchObject({ code: 2, stderr: 'combat: usage error: --mean-only choose how the model is fitted; give --save-model FILE to fit it\n' });
    const before = await filesBelow(dir);
    const single = await runCli('merge', a, '--save-model', never, '--out', join(dir, 'never-statistics.arrow'));
    expect(single).toMatchObject({ code: 1, stderr: `combat: error: the statistics of ${a}: expected at least 2 batches; found 1 ("siteA")\n` });
    expect(await filesBelow(dir)).toEqual(before);
    expect(await runCli('merge', a, b, '--ref-batch', 'siteC', '--save-model', never)).toMatchObject({ code: 2, stderr: 'combat: usage error: --ref-batch siteC: reference batch "siteC" is not among the batches (siteA, siteB)\n' });
  });
});

describe('merged statistics merge again, and fit-partial warns about what its file gives away', async () => {
  const dir = await temporaryFolder('federated-more');
  const input = join(FIXTURES, 'combat', 'roi-parametric', 'input.csv');
  const { header, rows } = csvLines(input);
  const flags = ['--batch', 'site', '--categorical', 'sex,dx', '--continuous', 'age', '--features', 'f000:f119'];

  it('merge --out writes statistics that merge further to the same model (hierarchical merging), keeping the id column all files name', async () => {
    const shards = [0, 1, 2].map((s) => rows.filter((_, i) => i % 3 === s));
    const files = [];
    for (const [s, shard] of shards.entries()) {
      const data = await writeText(dir, `shard-${s}.csv`, `${[header, ...shard].join('\n')}\n`);
      files.push(join(dir, `shard-${s}.arrow`));
      expectSuccess(await runCli('fit-partial', '--data', data, '--id', 'subject', ...flags, '--out', files[s]!));
    }
    const partialMerge = join(dir, 'first-two.arrow');
    const statisticsOnly = await runCli('merge', files[0]!, files[1]!, '--out', partialMerge);
    expectSuccess(statisticsOnly);
    expect(statisticsOnly.stdout).toMatch(/^merged 2 statistics files: 120 features \(f000 \.\.\. f119\) of 40 samples\n  batches: siteA \d+, siteB \d+, siteC \d+\n/);
    expect((await readStatistics(partialMerge)).idColumn).toBe('subject');
    const [once, twice] = [join(dir, 'once.arrow'), join(dir, 'twice.arrow')];
    expectSuccess(await runCli('merge', ...files, '--save-model', once));
    expectSuccess(await runCli('merge', partialMerge, files[2]!, '--save-model', twice));
    expectSameModel((await readModel(twice)).model, (await readModel(once)).model, 'hierarchical');
    expect((await readModel(once)).idColumn).toBe('subject');
  });

  it('a batch of one sample, a level one sample of a batch holds, a feature with one finite value: warned about', async () => {
    // The first five rows of siteA: F AD, F MCI, F MCI, F AD, M MCI; the first moved to a batch of its own.
    const lines = rows.filter((row) => cell(header, row, 'site') === 'siteA').slice(0, 5);
    expect(lines.map((row) => `${cell(header, row, 'sex')} ${cell(header, row, 'dx')}`)).toEqual(['F AD', 'F MCI', 'F MCI', 'F AD', 'M MCI']);
    const edited = lines.map((row, i) => (i === 0 ? row.replace(/,siteA,/, ',siteZ,') : row));
    const data = await writeText(dir, 'small.csv', `${[header, ...edited].join('\n')}\n`);
    const result = await runCli('fit-partial', '--data', data, ...flags, '--out', join(dir, 'small.arrow'));
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(
      'combat: warning: in batch siteA, level "M" of "sex", level "AD" of "dx" are each held by a single sample: its values can be worked out from the statistics (its batch\'s means plus the sums over its level)\n' +
        'combat: warning: batch siteZ has a single sample: the statistics hold its values as they are; share them only with more samples of that batch, or without it\n',
    );
    const missing = await writeText(dir, 'missing.csv', `${[header, ...lines.map((row, i) => (i > 0 ? row.replace(/^((?:[^,]*,){5})[^,]*/, '$1') : row))].join('\n')}\n`);
    const single = await runCli('fit-partial', '--data', missing, ...flags, '--out', join(dir, 'missing.arrow'));
    expect(single.code).toBe(0);
    expect(single.stderr).toContain('combat: warning: 1 feature(s) with a single finite value in batch siteA: the statistics hold that value (as its mean): f000\n');
  });
});
