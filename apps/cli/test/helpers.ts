import { readFileSync } from 'node:fs';
import { copyFile, cp, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fixturePath, temporaryFolder } from '@combat/test-support';

/** The repository's fixtures folder. */
export const FIXTURES = fixturePath();
/** An sva::ComBat case: subject, site, age, sex, dx, then f000 ... f119. */
export const ROI = join(FIXTURES, 'combat', 'roi-parametric', 'input.csv');
/** The volumes-seed case: 24 NIfTI images of 3 scanners, a mask and covars.csv. */
export const SEED = join(FIXTURES, 'volumes-seed');
/** The flags that fit the ROI case as sva did. */
export const ROI_FLAGS = ['--batch', 'site', '--categorical', 'sex,dx', '--continuous', 'age', '--features', 'f000:f119'];

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
