import { describe, expect, it } from 'vitest';
import { NiftiFormatError, NiftiWriteError } from '../src/index.js';

describe('the public surface', () => {
  it('@combat/io-nifti exports what users call', async () => {
    expect(Object.keys(await import('@combat/io-nifti')).sort()).toEqual(['DEFAULT_MAX_BYTES', 'NiftiFormatError', 'NiftiWriteError', 'decodeNifti', 'encodeNifti']);
  });

  it('@combat/io-nifti/node exports the file helpers', async () => {
    expect(Object.keys(await import('@combat/io-nifti/node')).sort()).toEqual(['NiftiFileResource', 'NiftiThreads', 'encodeNiftiFile', 'readNifti', 'writeNifti']);
  });

  it('each error class has its own name', () => {
    expect(new NiftiFormatError('scan.nii', 'truncated header').name).toBe('NiftiFormatError');
    expect(new NiftiWriteError('too large').name).toBe('NiftiWriteError');
  });
});
