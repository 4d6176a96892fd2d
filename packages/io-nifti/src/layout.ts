import { datatypeByName } from './datatypes.js';
import { NiftiFormatError } from './errors.js';
import type { NiftiHeader } from './header.js';

/**
 * What a header's image occupies: its voxel count, the bytes of its voxel block, and whether
 * `scl_slope` and `scl_inter` scale it (then it is returned as float64).
 */
export function voxelLayout(header: NiftiHeader): { voxels: number; blockBytes: number; bytesPerVoxel: number; scaled: boolean } {
  const bytesPerVoxel = datatypeByName(header.datatype).array.BYTES_PER_ELEMENT;
  const voxels = header.dims.slice(1, header.dims[0] + 1).reduce((a, n) => a * n, 1);
  return { voxels, blockBytes: voxels * bytesPerVoxel, bytesPerVoxel, scaled: isScaled(header) };
}

/**
 * Whether the header scales its voxels: a finite slope other than 0, and not the identity
 * (slope 1, intercept 0). A slope of 0 or NaN means unscaled, as in nibabel.
 */
function isScaled(header: NiftiHeader): boolean {
  const { sclSlope: slope, sclInter: inter } = header;
  return Number.isFinite(slope) && slope !== 0 && !(slope === 1 && inter === 0);
}

/**
 * Where the image ends in the uncompressed bytes: `vox_offset` plus the voxel block. Bytes
 * after it are ignored (as nibabel does).
 */
export function imageEnd(header: NiftiHeader): number {
  return header.voxOffset + voxelLayout(header).blockBytes;
}

/**
 * Refuses, before anything is allocated, an image whose voxel array (on-disk type, or float64
 * when scaled) would exceed `maxBytes`; the error names the source, the dims and the bytes, with
 * `remedy: { maxBytes }` when a JavaScript array could in principle be that large.
 */
export function checkImageSize(header: NiftiHeader, source: string, maxBytes: number): void {
  const { voxels, blockBytes, scaled } = voxelLayout(header);
  const arrayBytes = scaled ? voxels * 8 : blockBytes;
  if (arrayBytes <= maxBytes) return;
  throw new NiftiFormatError(
    source,
    `image too large: ${describeBlock(header)}${scaled ? ` (${arrayBytes} as float64 once scaled)` : ''}; ` +
      `at most ${maxBytes} bytes are read into one array`,
    arrayBytes <= Number.MAX_SAFE_INTEGER ? { remedy: { maxBytes: arrayBytes } } : {},
  );
}

/**
 * The error for bytes that end before the voxel block does (`available` bytes in all).
 */
export function truncatedVoxelData(header: NiftiHeader, available: number, source: string): NiftiFormatError {
  return new NiftiFormatError(source, `truncated voxel data: ${describeBlock(header)}; the file has ${Math.max(0, available - header.voxOffset)}`);
}

/**
 * Allocates an array for an image, turning an engine's refusal (a RangeError) into a
 * NiftiFormatError that names the source, the dims and the bytes.
 */
export function allocate<T>(create: () => T, bytes: number, header: NiftiHeader, source: string): T {
  try {
    return create();
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    throw new NiftiFormatError(source, `cannot allocate ${bytes} bytes for ${describeBlock(header)}: ${error.message}`);
  }
}

/** `dims 7x6x5 of uint16 need 420 bytes after offset 352`. */
function describeBlock(header: NiftiHeader): string {
  const { blockBytes } = voxelLayout(header);
  return `dims ${header.dims.slice(1, header.dims[0] + 1).join('x')} of ${header.datatype} need ${blockBytes} bytes after offset ${header.voxOffset}`;
}
