import { readFileSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TableEncoder, decodeArrowTable, parseDelimited, type ArrowColumn, type Table } from '@combat/io-arrow';
import { openTable, readModel } from '@combat/io-arrow/node';
import { COMBAT_CASES, expectClose, loadCase, loadFamilyCase, temporaryFolder } from '@combat/test-support';
import { describe, expect, it } from 'vitest';
import { caseFlags, featureValues, roiLines, writeText, ROI_FLAGS } from './helpers.js';
import { runCli, runCliWith } from './run-cli.js';

/**
 * `harmonize` and `apply` read `--data` in chunks (a pass for the covariates, a fit pass, an adjust
 * pass writing as it goes): with chunks of a row or two, they give what one chunk gives (the fit
 * to rounding, each chunk's statistics merged; apply bit for bit), match the references, name the
 * file's rows in their messages, and leave nothing behind when a late chunk fails.
 */

const dir = await temporaryFolder('chunked-tables');
/** Chunks of about 1.5 kB of text: a row or two of the 120-feature cases. */
const SMALL = { env: { COMBAT_CHUNK_BYTES: '1500' } };

/** The record batches of an Arrow file (its chunks, a byte at most each). */
async function recordBatches(path: string): Promise<number> {
  let count = 0;
  for await (const _ of (await openTable(path, { chunkBytes: 1 })).chunks()) count++;
  return count;
}

/** Every model array, end to end, for comparing two models. */
async function modelValues(path: string): Promise<Float64Array> {
  const { model } = await readModel(path);
  const batches = [...model.batches.values()].flatMap((b) => [b.gammaStar, b.deltaStar, b.gammaHat, b.deltaHat]);
  return Float64Array.from([model.grandMean, model.varPooled, model.beta, ...batches].flatMap((array) => [...array]));
}

describe.each(['roi-missing-parametric', 'roi-refbatch-nonparametric', 'roi-meanonly-parametric', 'roi-noeb', 'large-batch-nonparametric'])('combat harmonize and apply in chunks: %s', (name) => {
  it('match the reference and one chunk (to rounding), keep every other column as read, and apply bit for bit', async () => {
    const { spec, expected } = loadCase(name);
    const input = join(COMBAT_CASES, name, 'input.csv');
    const table = parseDelimited(readFileSync(input, 'utf8'), { source: input });
    const features = table.names.slice(table.names.indexOf(spec.features.from), table.names.indexOf(spec.features.to) + 1);
    const run = async (label: string, options: { env?: Record<string, string> }) => {
      const out = join(dir, `${name}-${label}.csv`);
      const model = join(dir, `${name}-${label}.arrow`);
      const result = await runCliWith(options, 'harmonize', '--data', input, ...caseFlags(spec, `${features[0]}:${features.at(-1)}`), '--out', out, '--save-model', model);
      expect(result.code, result.stderr).toBe(0);
      return { out, model, result, written: parseDelimited(readFileSync(out, 'utf8'), { source: out }) };
    };
    const whole = await run('whole', {});
    const chunked = await run('chunked', SMALL);
    expect(chunked.result.stdout.replaceAll('-chunked', '-whole')).toBe(whole.result.stdout);
    expect(chunked.result.stderr).toBe(whole.result.stderr);
    expectClose(featureValues(chunked.written, features), expected, 1e-9, `${name} reference`);
    expectClose(featureValues(chunked.written, features), featureValues(whole.written, features), 1e-12, `${name} one chunk`);
    expectClose(await modelValues(chunked.model), await modelValues(whole.model), 1e-12, `${name} model`);
    for (const column of table.names.filter((c) => !features.includes(c))) expect(chunked.written.columns.get(column)!.raw).toEqual(table.columns.get(column)!.raw);

    for (const extension of ['csv', 'tsv']) {
      const outputs = await Promise.all(
        [['whole', {}], ['chunked', SMALL]].map(async ([label, options]) => {
          const out = join(dir, `${name}-applied-${label as string}.${extension}`);
          const applied = await runCliWith(options as object, 'apply', '--model', whole.model, '--data', input, '--id', 'subject', '--out', out);
          expect(applied.code, applied.stderr).toBe(0);
          return readFileSync(out);
        }),
      );
      expect(outputs[1]!.equals(outputs[0]!), `${name} apply .${extension}`).toBe(true);
    }
  });
});

describe('chunks of every format', () => {
  const input = join(COMBAT_CASES, 'roi-missing-parametric', 'input.csv');
  const features = Array.from({ length: 120 }, (_, k) => `f${String(k).padStart(3, '0')}`);

  it('Arrow in, Arrow out: the table read a record batch at a time gives what the CSV gives', async () => {
    // An Arrow file of a record batch per row or two.
    const file = await openTable(input, { chunkBytes: 1500 });
    const encoder = new TableEncoder('arrow');
    for await (const chunk of file.chunks()) encoder.scan(chunk);
    const parts: Uint8Array[] = [];
    for await (const chunk of file.chunks()) parts.push(encoder.encode(chunk, new Map()));
    parts.push(encoder.finish());
    const arrow = join(dir, 'batches.arrow');
    await writeFile(arrow, Buffer.concat(parts));
    expect(await recordBatches(arrow)).toBeGreaterThan(20);

    const fromCsv = join(dir, 'from-csv.feather');
    const fromArrow = join(dir, 'from-arrow.arrow');
    expect((await runCli('harmonize', '--data', input, ...ROI_FLAGS, '--id', 'subject', '--out', fromCsv)).code).toBe(0);
    const chunked = await runCliWith({ env: { COMBAT_CHUNK_BYTES: '1' } }, 'harmonize', '--data', arrow, ...ROI_FLAGS, '--id', 'subject', '--out', fromArrow);
    expect(chunked.code, chunked.stderr).toBe(0);
    const [a, b] = [decodeArrowTable(readFileSync(fromCsv)), decodeArrowTable(readFileSync(fromArrow))];
    expect(await recordBatches(fromArrow)).toBe(await recordBatches(arrow));
    expectClose(featureValues(b, features), featureValues(a, features), 1e-12, 'arrow');
    for (const name of a.names.filter((c) => !features.includes(c))) {
      expect(b.columns.get(name)!.cells).toEqual(a.columns.get(name)!.cells);
      expect(String((b.columns.get(name) as ArrowColumn).vector.type)).toBe(String((a.columns.get(name) as ArrowColumn).vector.type));
    }
  });

  it('CSV in, Arrow out: a column that turns to text in a late chunk is text, as when read whole', async () => {
    const lines = roiLines().map((line, r) => `${r === 0 ? 'code' : r === 55 ? '0055' : String(r)},${line}`);
    const data = await writeText(dir, 'late-code.csv', lines.join('\n'));
    const outputs = [];
    for (const [label, options] of [['whole', {}], ['chunked', SMALL]] as const) {
      const out = join(dir, `late-code-${label}.arrow`);
      const result = await runCliWith(options, 'harmonize', '--data', data, ...ROI_FLAGS, '--out', out);
      expect(result.code, result.stderr).toBe(0);
      outputs.push(decodeArrowTable(readFileSync(out)));
    }
    const [whole, chunked] = outputs as [Table, Table];
    expect(String((whole.columns.get('code') as ArrowColumn).vector.type)).toBe('Utf8');
    expect(String((chunked.columns.get('code') as ArrowColumn).vector.type)).toBe('Utf8');
    expect(chunked.columns.get('code')!.cells).toEqual(whole.columns.get('code')!.cells);
    expectClose(featureValues(chunked, features), featureValues(whole, features), 1e-12, 'late code');
  });
});

describe('new batches estimated in a pass of their own', () => {
  it('apply --estimate-new-batches in chunks gives the reference and what one chunk gives', async () => {
    const fixture = loadFamilyCase('newbatch-parametric');
    const model = join(dir, 'newbatch-model.arrow');
    const flags = ['--batch', fixture.spec.batch, '--id', fixture.spec.id, '--categorical', fixture.spec.categorical.join(','), '--continuous', fixture.spec.continuous.join(','), '--features', 'f000:f039'];
    expect((await runCli('harmonize', '--data', join(fixture.dir, 'train.csv'), ...flags, '--out', join(dir, 'newbatch-train.csv'), '--save-model', model)).code).toBe(0);
    const names = Array.from({ length: 40 }, (_, k) => `f${String(k).padStart(3, '0')}`);
    const outputs = [];
    for (const [label, options] of [['whole', {}], ['chunked', { env: { COMBAT_CHUNK_BYTES: '300' } }]] as const) {
      const out = join(dir, `newbatch-${label}.csv`);
      const result = await runCliWith(options, 'apply', '--model', model, '--data', join(fixture.dir, 'new.csv'), '--id', 'subject', '--estimate-new-batches', '--out', out);
      expect(result.code, result.stderr).toBe(0);
      outputs.push(featureValues(parseDelimited(readFileSync(out, 'utf8')), names));
    }
    expectClose(outputs[1]!, fixture.expectedNew, 1e-9, 'reference');
    expectClose(outputs[1]!, outputs[0]!, 1e-12, 'one chunk');
  });
});

describe('a fault in a late chunk', () => {
  it('is named by its file row and subject as the whole read names it, and nothing is written', async () => {
    const lines = roiLines();
    lines[58] = lines[58]!.replace(/,([-\d.]+)$/, ',abc');
    const folder = await temporaryFolder('late-fault');
    const data = await writeText(folder, 'late-fault.csv', lines.join('\n'));
    const whole = await runCli('harmonize', '--data', data, ...ROI_FLAGS, '--id', 'subject', '--out', join(folder, 'out.csv'));
    const chunked = await runCliWith(SMALL, 'harmonize', '--data', data, ...ROI_FLAGS, '--id', 'subject', '--out', join(folder, 'out.csv'));
    expect(whole.code).toBe(1);
    expect(whole.stderr).toMatch(/late-fault\.csv: row 58 \(subject "[^"]+"\), column "f119": "abc" is not a number\n$/);
    expect(chunked).toEqual(whole);
    expect(await readdir(folder)).toEqual(['late-fault.csv']);
  });

  it('found by apply after earlier chunks were written: the run fails and leaves nothing', async () => {
    const folder = await temporaryFolder('late-apply');
    const model = join(folder, 'model.arrow');
    expect((await runCli('harmonize', '--data', join(COMBAT_CASES, 'roi-parametric', 'input.csv'), ...ROI_FLAGS, '--out', join(folder, 'train.csv'), '--save-model', model)).code).toBe(0);
    const lines = roiLines();
    lines[60] = lines[60]!.replace(/,([-\d.]+)$/, ',1e400');
    const data = await writeText(folder, 'late.csv', lines.join('\n'));
    const before = await readdir(folder);
    for (const out of ['out.csv', 'out.arrow']) {
      const result = await runCliWith(SMALL, 'apply', '--model', model, '--data', data, '--out', join(folder, out));
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(`combat: error: ${data}: row 60, column "f119": "1e400" is not a number\n`);
      expect(await readdir(folder)).toEqual(before);
    }
  });
});

describe('COMBAT_CHUNK_BYTES', () => {
  it('must be a whole number of bytes', async () => {
    const result = await runCliWith({ env: { COMBAT_CHUNK_BYTES: '1MB' } }, 'harmonize', '--data', join(COMBAT_CASES, 'roi-parametric', 'input.csv'), ...ROI_FLAGS, '--out', join(dir, 'never.csv'));
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('combat: usage error: COMBAT_CHUNK_BYTES=1MB: expected a whole number of bytes of at least 1\n');
  });
});
