import type { DecodedModelFile } from '@combat/io-arrow';
import { readModel } from '@combat/io-arrow/node';

/** A model file as read (the model, its format version and extras), with its path. */
export type SavedModel = DecodedModelFile & { readonly source: string };

/**
 * Reads a model file with io-arrow's `readModel` (a file that cannot be read is an
 * `InputReadError`, a damaged or foreign one a `ModelFormatError`, each naming the path).
 */
export async function readSavedModel(path: string): Promise<SavedModel> {
  return { source: path, ...(await readModel(path)) };
}
