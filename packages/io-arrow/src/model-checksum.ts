import { ModelFormatError } from '@combat/core';
import CRC32 from 'crc-32';
import { checkBytes, checkOptionalString, checkOptions } from '@combat/base/internal';

/**
 * What a model file's metadata holds as its checksum before {@link sealModelFile} fills it in:
 * 8 zeros where the CRC-32 of the file goes, as lowercase hex.
 */
export const CHECKSUM_PLACEHOLDER = '00000000';

const KEY = '"checksum":"';
const DIGITS = CHECKSUM_PLACEHOLDER.length;
const ARROW_FILE_MAGIC = 'ARROW1';

/**
 * Writes the checksum of a model file into it: the file's metadata JSON must hold one
 * `"checksum":"<8 hex digits>"` (the placeholder `encodeModelFile` writes, or the old checksum of a
 * file read and edited); the digits are replaced, in a copy, by the CRC-32 (zlib's, as Python's
 * `zlib.crc32` computes it) of the whole file with those digits read as zeros. For tools that edit
 * a model file and take responsibility for the result. Messages start with `options.target` (the
 * path being written; default "model file").
 *
 * @throws {@link ModelFormatError} when the bytes are not an Arrow IPC file with one checksum in
 * its metadata.
 * @throws {@link InvalidArgumentError} when `bytes` is not a Uint8Array or `options.target` not a
 * string.
 * @example
 * ```ts
 * import { tableFromIPC, tableToIPC } from 'apache-arrow';
 *
 * // Rename the batch column a model file names, with apache-arrow, then seal the result.
 * const edited = tableFromIPC(modelBytes);
 * const json = edited.schema.metadata.get('combat') ?? '';
 * edited.schema.metadata.set('combat', json.replace('"columns":{"batch":"site"', '"columns":{"batch":"scanner"'));
 * const unsealed = tableToIPC(edited, 'file');
 * decodeModelFile(unsealed, { source: 'edited.arrow' });
 * // throws ModelFormatError: edited.arrow: the file does not match its checksum
 * decodeModelFile(sealModelFile(unsealed), { source: 'edited.arrow' }).columns; // { batch: 'scanner', categorical: ['sex'], continuous: ['age'] }
 * ```
 */
export function sealModelFile(bytes: Uint8Array, options: { target?: string } = {}): Uint8Array {
  checkBytes(bytes, 'sealModelFile: bytes');
  const target = checkOptionalString(checkOptions(options, 'sealModelFile: options').target, 'sealModelFile: options.target') ?? 'model file';
  const fail = (detail: string): never => {
    throw new ModelFormatError(`${target}: ${detail}`);
  };
  const sites = checksumSites(bytes, fail);
  // A feature name can look like a checksum too; the placeholder, when present once, is the one.
  const placeholders = sites.filter((at) => hexAt(bytes, at) === CHECKSUM_PLACEHOLDER);
  const site = placeholders.length === 1 ? placeholders[0] : sites.length === 1 ? sites[0] : undefined;
  if (site === undefined) return fail(`expected one checksum in the metadata; found ${sites.length} places that look like one`);
  const sealed = new Uint8Array(bytes);
  sealed.set(new TextEncoder().encode(fileChecksum(sealed, site)), site);
  return sealed;
}

/** What a sealed file is, for messages: its name, and what writes it. */
export interface SealedKind {
  readonly name: string;
  readonly writer: string;
}

/** A model file, as messages name it. */
export const MODEL_FILE: SealedKind = { name: 'model file', writer: 'encodeModelFile (or sealed with sealModelFile)' };

/**
 * Checks the Arrow IPC file framing (`ARROW1` at both ends, a footer that fits) and the checksum,
 * before any parsing, and returns the checksum. The checksum is found in the footer (where the
 * metadata JSON is) after `"checksum":"`; the file's CRC-32 with those digits read as zeros must
 * equal it. `kind` names the file in messages (a model file, or a statistics file).
 */
export function verifyChecksum(bytes: Uint8Array, fail: (detail: string) => never, kind: SealedKind = MODEL_FILE): string {
  if (!startsWith(bytes, 0, ARROW_FILE_MAGIC)) return fail(`not an Arrow IPC ${kind.name}: it starts with ${preview(bytes)}; expected the bytes "${ARROW_FILE_MAGIC}"`);
  if (bytes.length < 2 * ARROW_FILE_MAGIC.length + 6 || !startsWith(bytes, bytes.length - ARROW_FILE_MAGIC.length, ARROW_FILE_MAGIC)) {
    return fail(`truncated Arrow IPC file (${bytes.length} bytes): it does not end with "${ARROW_FILE_MAGIC}"`);
  }
  const sites = checksumSites(bytes, fail);
  if (sites.length === 0) return fail(`no checksum in the metadata; expected a ${kind.name} written by ${kind.writer}`);
  // Normally one site; a feature name that looks like a checksum adds candidates, each tried on its own.
  for (const at of sites) {
    const stored = hexAt(bytes, at) as string;
    if (fileChecksum(bytes, at) === stored) return stored;
  }
  return fail(`the file does not match its checksum (stored ${hexAt(bytes, sites[0] as number)}, computed ${fileChecksum(bytes, sites[0])}): it was changed or damaged after it was written`);
}

/** Where `"checksum":"` + 8 lowercase hex digits + `"` occurs in the footer: the digits' offsets. */
function checksumSites(bytes: Uint8Array, fail: (detail: string) => never): number[] {
  const end = bytes.length - ARROW_FILE_MAGIC.length - 4;
  const length = end >= 0 ? new DataView(bytes.buffer, bytes.byteOffset + end, 4).getInt32(0, true) : -1;
  if (!(length > 0 && end - length >= 8)) return fail(`damaged Arrow IPC file: its footer length (${length}) does not fit in ${bytes.length} bytes`);
  const sites: number[] = [];
  for (let at = end - length; at + KEY.length + DIGITS + 1 <= end; at++) {
    if (startsWith(bytes, at, KEY) && hexAt(bytes, at + KEY.length) !== null && bytes[at + KEY.length + DIGITS] === 0x22) sites.push(at + KEY.length);
  }
  return sites;
}

/** The 8 lowercase hex digits at `at`, or null. */
function hexAt(bytes: Uint8Array, at: number): string | null {
  let hex = '';
  for (let k = 0; k < DIGITS; k++) {
    const c = bytes[at + k] as number;
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66))) return null;
    hex += String.fromCharCode(c);
  }
  return hex;
}

/** The file's CRC-32 as 8 lowercase hex digits, with the digits at `site` (if given) read as zeros. */
function fileChecksum(bytes: Uint8Array, site?: number): string {
  // A copy (new Uint8Array, not slice: a Node Buffer's slice is a view of the caller's bytes).
  const hashed = site === undefined ? bytes : new Uint8Array(bytes).fill(0x30, site, site + DIGITS);
  return (CRC32.buf(hashed) >>> 0).toString(16).padStart(DIGITS, '0');
}

function startsWith(bytes: Uint8Array, at: number, text: string): boolean {
  for (let k = 0; k < text.length; k++) if (bytes[at + k] !== text.charCodeAt(k)) return false;
  return true;
}

/** The first bytes, as text when they are printable, else in hex. */
function preview(bytes: Uint8Array): string {
  const head = bytes.subarray(0, 16);
  if (head.length === 0) return 'nothing (0 bytes)';
  const printable = head.every((b) => (b >= 0x20 && b < 0x7f) || b === 0x0a || b === 0x0d || b === 0x09);
  return printable ? JSON.stringify(String.fromCharCode(...head)) : Array.from(head, (b) => b.toString(16).padStart(2, '0')).join(' ');
}
