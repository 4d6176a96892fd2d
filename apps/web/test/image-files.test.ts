import { tableFromColumns } from '@combat/io-arrow';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FieldError } from '../src/explain.js';
import { imageName, matchImages, type NamedFile } from '../src/image-files.js';

const CELLS = ['images/sub-01.nii.gz', 'sub-01.nii.gz', 'other\\sub-02.nii', 'sub-02.nii', 'a/b/sub-03.nii.gz', 'sub-04.nii.gz', ''];
const NAMES = ['sub-01.nii.gz', 'sub-02.nii', 'sub-03.nii.gz', 'sub-04.nii.gz', 'sub-05.nii.gz'];

/** What is wrong with row `at` (given the rows before it), by the rule stated in matchImages' comment; null when nothing. */
function fault(cells: readonly string[], at: number, files: readonly NamedFile[]): 'covars-file' | 'images-file' | null {
  const cell = cells[at] as string;
  if (cell === '') return 'covars-file';
  const name = cell.split(/[\\/]/).at(-1);
  if (cells.slice(0, at).some((earlier) => earlier !== '' && earlier.split(/[\\/]/).at(-1) === name)) return 'images-file';
  return files.filter((file) => file.name === name).length === 1 ? null : 'images-file';
}

describe('matching the image column to the files chosen', () => {
  it('gives each row the one file of its cell\u2019s name, or names the first row that has none, several, or another row\u2019s (random tables and files)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...CELLS), { minLength: 1, maxLength: 6 }),
        fc.array(fc.record({ name: fc.constantFrom(...NAMES), webkitRelativePath: fc.constantFrom('', 'x/', 'y/z/') }), { maxLength: 8 }),
        (cells, chosen) => {
          const files = chosen.map(({ name, webkitRelativePath }) => ({ name, webkitRelativePath: webkitRelativePath === '' ? '' : `${webkitRelativePath}${name}` }));
          const table = tableFromColumns({ path: cells, site: cells.map(() => 'A') }, { source: 'covars.csv' });
          const first = cells.findIndex((_, at) => fault(cells, at, files) !== null);
          let matched: NamedFile[] | null = null;
          let thrown: unknown = null;
          try {
            matched = matchImages(table, 'path', files);
          } catch (error) {
            thrown = error;
          }
          if (first < 0) {
            expect(thrown).toBeNull();
            expect(matched?.map((file) => file.name)).toEqual(cells.map(imageName));
            matched?.forEach((file) => expect(files).toContain(file));
          } else {
            expect(thrown).toBeInstanceOf(FieldError);
            expect((thrown as FieldError).field).toBe(fault(cells, first, files));
            expect((thrown as FieldError).message.startsWith(`covars.csv: row ${first + 1}`)).toBe(true);
          }
        },
      ),
    );
  });

  it('says which files share a name, and which row names another row\u2019s image', () => {
    const table = tableFromColumns({ path: ['images/sub-01.nii.gz', 'sub-02.nii.gz'] }, { source: 'covars.csv' });
    expect(() => matchImages(table, 'path', [{ name: 'sub-01.nii.gz', webkitRelativePath: 'a/sub-01.nii.gz' }, { name: 'sub-01.nii.gz', webkitRelativePath: 'b/sub-01.nii.gz' }])).toThrow(
      'covars.csv: row 1 (path "images/sub-01.nii.gz"): 2 files chosen are named "sub-01.nii.gz" (a/sub-01.nii.gz, b/sub-01.nii.gz); choose only one',
    );
    const twice = tableFromColumns({ path: ['a/sub-01.nii.gz', 'b/sub-01.nii.gz'] }, { source: 'covars.csv' });
    expect(() => matchImages(twice, 'path', [{ name: 'sub-01.nii.gz' }])).toThrow(
      'covars.csv: row 2 (path "b/sub-01.nii.gz"): names the image "sub-01.nii.gz", as row 1 does; each row needs an image of its own (their outputs would have one name)',
    );
    expect(() => matchImages(table, 'image', [])).toThrow('covars.csv: image column "image" not found; columns are path');
  });
});
