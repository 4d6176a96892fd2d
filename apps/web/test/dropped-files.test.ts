import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { entryFiles } from '../src/dropped-files.js';

/** A dropped tree: a file (its name) or a folder of trees. */
type Tree = string | { readonly folder: readonly Tree[] };

const trees = fc.letrec<{ tree: Tree }>((tie) => ({
  tree: fc.oneof({ depthSize: 'small', withCrossShrink: true }, fc.stringMatching(/^[a-z]{1,4}\.nii$/), fc.record({ folder: fc.array(tie('tree'), { maxLength: 5 }) })),
})).tree;

/**
 * The browser's entries of a tree, as Chromium gives them: a folder's reader hands its entries
 * over `batch` at a time, then an empty batch; a failing folder's reader calls its error callback.
 */
function entry(tree: Tree, batch: number, failing: string | null, path = ''): FileSystemEntry {
  if (typeof tree === 'string') {
    const file = new File([tree], tree);
    return { isFile: true, isDirectory: false, name: tree, fullPath: `${path}/${tree}`, file: (done: (file: File) => void) => setTimeout(() => done(file)) } as unknown as FileSystemEntry;
  }
  const fullPath = `${path}/d${tree.folder.length}`;
  const children = tree.folder.map((child) => entry(child, batch, failing, fullPath));
  const createReader = () => {
    let at = 0;
    return {
      readEntries: (done: (entries: FileSystemEntry[]) => void, fail: (error: Error) => void) =>
        setTimeout(() => {
          if (fullPath === failing) return fail(new Error(`${fullPath} could not be read`));
          done(children.slice(at, (at += batch)));
        }),
    };
  };
  return { isFile: false, isDirectory: true, name: fullPath, fullPath, createReader } as unknown as FileSystemEntry;
}

/** The file names of trees, depth first, in order. */
function names(trees: readonly Tree[]): string[] {
  return trees.flatMap((tree) => (typeof tree === 'string' ? [tree] : names(tree.folder)));
}

/** The paths of the folders of trees, as {@link entry} names them. */
function folders(trees: readonly Tree[], path = ''): string[] {
  return trees.flatMap((tree) => (typeof tree === 'string' ? [] : [`${path}/d${tree.folder.length}`, ...folders(tree.folder, `${path}/d${tree.folder.length}`)]));
}

describe('the files of a drop, folders read to any depth', () => {
  it('gives every file of random trees once, in order, whatever the size of the reader\u2019s batches', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(trees, { maxLength: 4 }), fc.integer({ min: 1, max: 4 }), async (dropped, batch) => {
        const files = await entryFiles(dropped.map((tree) => entry(tree, batch, null)));
        expect(files.map((file) => file.name)).toEqual(names(dropped));
      }),
    );
  });

  it('fails, rather than gives part of a folder, when a folder cannot be read', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(trees, { maxLength: 4 }).filter((dropped) => folders(dropped).length > 0),
        fc.integer({ min: 1, max: 4 }),
        fc.nat(),
        async (dropped, batch, pick) => {
          const all = folders(dropped);
          const failing = all[pick % all.length] as string;
          await expect(entryFiles(dropped.map((tree) => entry(tree, batch, failing)))).rejects.toThrow(`${failing} could not be read`);
        },
      ),
    );
  });
});
