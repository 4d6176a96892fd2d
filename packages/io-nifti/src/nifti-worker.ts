/**
 * The worker of {@link NiftiThreads}: reads (and inflates and decodes) NIfTI files, and encodes
 * (and deflates) volumes for files, on its own thread (see on-thread.ts); voxels and bytes go back
 * transferred, errors as plain data (see sent-errors.ts).
 */
import workerpool from 'workerpool';
import type { Volume } from '@combat/base';
import type { EncodeFileOptions, ReadNiftiOptions } from './node.js';
import { encodeNiftiFileOnThread, readNiftiInPlace, readNiftiOnThread } from './on-thread.js';
import { readVoxels } from './read-voxels.js';
import { sendError } from './sent-errors.js';

workerpool.worker({
  read: async (path: string, options: ReadNiftiOptions) => {
    try {
      const image = await readNiftiOnThread(path, options);
      return new workerpool.Transfer({ value: image }, [image.data.buffer]);
    } catch (error) {
      return { error: sendError(error) };
    }
  },
  readVoxels: async (path: string, indices: Int32Array, options: ReadNiftiOptions) => {
    try {
      const read = await readVoxels(path, indices, options, readNiftiInPlace);
      return new workerpool.Transfer({ value: read }, [read.voxels.buffer]);
    } catch (error) {
      return { error: sendError(error) };
    }
  },
  encode: (path: string, volume: Volume, options: EncodeFileOptions) => {
    try {
      const bytes = encodeNiftiFileOnThread(path, volume, options);
      const own = bytes.byteOffset === 0 && bytes.buffer.byteLength === bytes.length ? bytes : bytes.slice();
      return new workerpool.Transfer({ value: own }, [own.buffer]);
    } catch (error) {
      return { error: sendError(error) };
    }
  },
});
