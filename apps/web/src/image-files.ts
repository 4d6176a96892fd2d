import { describeRow, requireColumn, type Table } from '@combat/io-arrow';
import { FieldError, inField } from './explain.js';

/** What the page needs of a chosen file to match it: its name and, from a folder, its path in it. */
export interface NamedFile {
  readonly name: string;
  readonly webkitRelativePath?: string;
}

/** The file name a cell of the image column names: its last path segment (`images/sub-01.nii.gz` gives `sub-01.nii.gz`). */
export function imageName(cell: string): string {
  return cell.split(/[\\/]/).at(-1) ?? cell;
}

/**
 * For each row of the covariates table, the chosen file its image cell names, matched by file
 * name (the table's paths are of the machine that wrote it; the page has only the files chosen).
 * A row without an image, an image no chosen file is named, a name two chosen files have (from
 * two folders), or two rows naming one file (their outputs would have one name) is an error
 * naming the row as the CLI names it (`row 3 (path "images/sub-03.nii.gz")`).
 */
export function matchImages<F extends NamedFile>(table: Table, imageColumn: string, files: readonly F[]): F[] {
  const cells = inField('image-column', () => requireColumn(table, imageColumn, 'image column')).cells;
  const byName = new Map<string, F[]>();
  for (const file of files) byName.set(file.name, [...(byName.get(file.name) ?? []), file]);
  const rowOf = new Map<string, number>();
  const row = (at: number): string => `${table.source}: ${describeRow(table, at, { idColumn: imageColumn })}`;
  return cells.map((cell, at) => {
    if (cell === null) throw new FieldError('covars-file', `${table.source}: ${describeRow(table, at)}, column "${imageColumn}": missing; every row needs an image path`);
    const name = imageName(cell);
    const earlier = rowOf.get(name);
    if (earlier !== undefined) {
      throw new FieldError('images-file', `${row(at)}: names the image ${JSON.stringify(name)}, as row ${earlier + 1} does; each row needs an image of its own (their outputs would have one name)`);
    }
    rowOf.set(name, at);
    const found = byName.get(name) ?? [];
    if (found.length === 0) {
      throw new FieldError('images-file', `${row(at)}: no image named ${JSON.stringify(name)} among the ${files.length} file${files.length === 1 ? '' : 's'} chosen; choose it too (or the folder that holds it)`);
    }
    if (found.length > 1) {
      const paths = found.map((file) => file.webkitRelativePath || file.name).join(', ');
      throw new FieldError('images-file', `${row(at)}: ${found.length} files chosen are named ${JSON.stringify(name)} (${paths}); choose only one`);
    }
    return found[0] as F;
  });
}
