import { readFileSync } from 'node:fs';
import { copyFile, cp, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Diagnostics } from '@combat/diagnostics';
import type { Table } from '@combat/io-arrow';
import { encodeNiftiFile, readNifti } from '@combat/io-nifti/node';
import { fixturePath, temporaryFolder, type CaseSpec } from '@combat/test-support';
import type { Browser, Page } from 'playwright-core';

/** The repository's fixtures folder. */
export const FIXTURES = fixturePath();
/** An sva::ComBat case: subject, site, age, sex, dx, then f000 ... f119. */
export const ROI = join(FIXTURES, 'combat', 'roi-parametric', 'input.csv');
/** The volumes-seed case: 24 NIfTI images of 3 scanners, a mask and covars.csv. */
export const SEED = join(FIXTURES, 'volumes-seed');
/** The flags that fit the ROI case as sva did. */
export const ROI_FLAGS = ['--batch', 'site', '--categorical', 'sex,dx', '--continuous', 'age', '--features', 'f000:f119'];

/** The flags that harmonize the volumes-seed case (site, age, its mask). */
export const VOLUME_FLAGS = ['--covariates', join(SEED, 'covars.csv'), '--image-column', 'path', '--batch', 'site', '--continuous', 'age', '--mask', join(SEED, 'mask.nii.gz')];

/** Every file in a folder with its bytes, by name (sorted). */
export async function writtenFiles(folder: string): Promise<Map<string, Buffer>> {
  const names = (await readdir(folder)).sort();
  return new Map(await Promise.all(names.map(async (name) => [name, await readFile(join(folder, name))] as const)));
}

/** Writes text to `name` in `folder` and returns its path. */
export async function writeText(folder: string, name: string, text: string): Promise<string> {
  const path = join(folder, name);
  await writeFile(path, text);
  return path;
}

/** The ROI case's lines (header first), to derive careless variants from. */
export function roiLines(): string[] {
  return readFileSync(ROI, 'utf8').trim().split('\n');
}

/** Every file below a folder (relative paths, sorted), hidden ones included. */
export async function filesBelow(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(folder.length + 1)).sort();
}

/** A copy of the volumes-seed case (covars.csv, images/, mask.nii.gz) in a new folder, for runs that might write there. */
export async function seedCopy(prefix: string): Promise<string> {
  const dir = await temporaryFolder(prefix);
  await cp(join(SEED, 'images'), join(dir, 'images'), { recursive: true });
  await copyFile(join(SEED, 'mask.nii.gz'), join(dir, 'mask.nii.gz'));
  await copyFile(join(SEED, 'covars.csv'), join(dir, 'covars.csv'));
  return dir;
}

/**
 * A copy of the volumes-seed case (see {@link seedCopy}) whose last image, sub-24, has a voxel
 * inside the mask so large that its harmonized value is beyond float32's range.
 */
export async function seedWithOverflow(prefix: string): Promise<string> {
  const dir = await seedCopy(prefix);
  const last = join(dir, 'images', 'sub-24.nii.gz');
  const image = await readNifti(last);
  const data = Float64Array.from(image.data);
  data[3364] = 1e39;
  await writeFile(last, await encodeNiftiFile(last, { ...image, data }, { dtype: 'float64' }));
  return dir;
}

/** An sva::ComBat case's case.json as command-line flags, its features given as `features` (a list or a range). */
export function caseFlags(spec: CaseSpec, features: string): string[] {
  return [
    '--features', features,
    '--batch', spec.batch,
    '--id', 'subject',
    ...(spec.categorical.length > 0 ? ['--categorical', spec.categorical.join(',')] : []),
    ...(spec.continuous.length > 0 ? ['--continuous', spec.continuous.join(',')] : []),
    ...(spec.refBatch !== null ? ['--ref-batch', spec.refBatch] : []),
    ...(spec.meanOnly ? ['--mean-only'] : []),
    ...(spec.parametric ? [] : ['--non-parametric']),
    ...(spec.eb ? [] : ['--no-eb']),
  ];
}

/** The features of a table, sample-major. */
export function featureValues(table: Table, features: readonly string[]): Float64Array {
  return Float64Array.from({ length: table.rows * features.length }, (_, k) => table.columns.get(features[k % features.length]!)!.numbers![Math.floor(k / features.length)]!);
}

/** A diagnostics JSON file a run wrote, parsed. */
export async function readDiagnostics(path: string): Promise<Diagnostics> {
  return JSON.parse(await readFile(path, 'utf8')) as Diagnostics;
}

/**
 * A report page opened in a new page of `browser` (1300 x 900) and its screenshot written to
 * `screenshot`: the page, its URL, every URL it requested and every error it logged or threw.
 */
export async function openReport(browser: Browser, html: string, screenshot: string): Promise<{ page: Page; url: string; requests: string[]; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
  page.on('pageerror', (error) => errors.push(error.message));
  const url = pathToFileURL(html).href;
  await page.goto(url);
  await page.screenshot({ path: screenshot, fullPage: true });
  return { page, url, requests, errors };
}
