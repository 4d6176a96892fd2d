import type { DataMatrix } from '@combat/core';

/**
 * A samples x features matrix kept for the diagnostics while a command passes over its data, a
 * block of rows at a time (a table's chunks, each volume's in-mask voxels).
 */
export class KeptRows {
  readonly data: Float64Array | Float32Array;

  constructor(
    readonly samples: number,
    readonly features: number,
    type: Float64ArrayConstructor | Float32ArrayConstructor = Float64Array,
  ) {
    this.data = new type(samples * features);
  }

  /** Keeps `values`, rows of this matrix from row `first` (0-based). */
  set(first: number, values: ArrayLike<number>): void {
    this.data.set(values, first * this.features);
  }

  /** The rows kept, as a data matrix. */
  matrix(): DataMatrix {
    return { data: this.data, samples: this.samples, features: this.features };
  }
}
