/**
 * The loops of the tiled products of samples x features matrices (covbat-products.ts,
 * principal-components.ts; ComBat's own passes tile features in loops of their own): the features
 * in tiles of {@link TILE}, so that the values a tile needs
 * stay in a core's cache while they are used again. The loops over a tile's features are the
 * products' own, in functions of their module given the arrays as `data` (a call per tile, or per
 * tile, row and group of columns; never one per feature; and no closure, whose captured arrays the
 * hot loops would read slower), so each value is still summed in the order of the plain loop,
 * whatever the tiles.
 */

/** Features in a tile: K rows of this many values and a block of samples' values fit in a core's cache. */
const TILE = 128;

/** Calls `tile(data, from, to)` for each tile [from, to) of the features [0, `length`), in order. */
export function forEachTile<T>(data: T, length: number, tile: (data: T, from: number, to: number) => void): void {
  for (let from = 0; from < length; from += TILE) tile(data, from, Math.min(length, from + TILE));
}

/** A tiled product's work over the features [from, to) of one tile, for row `r` and the columns from `c`. */
export interface TileKernel<T> {
  /** The first column of row r: 0, or r for the upper triangle of a symmetric product. */
  first(r: number): number;
  /** Columns c to c + 3 at once: four independent sums, which the processor overlaps. */
  four(data: T, from: number, to: number, r: number, c: number): void;
  /** Column c alone. */
  one(data: T, from: number, to: number, r: number, c: number): void;
}

/**
 * For each tile [from, to) of the features [0, `length`), each row r < `rows` and, in order, the
 * columns c from `kernel.first(r)` to `columns - 1`: `kernel.four` for each group of four columns,
 * then `kernel.one` for each column left.
 */
export function forEachTileInFours<T>(data: T, length: number, rows: number, columns: number, kernel: TileKernel<T>): void {
  forEachTile(data, length, (_, from, to) => {
    for (let r = 0; r < rows; r++) {
      let c = kernel.first(r);
      for (; c + 4 <= columns; c += 4) kernel.four(data, from, to, r, c);
      for (; c < columns; c++) kernel.one(data, from, to, r, c);
    }
  });
}
