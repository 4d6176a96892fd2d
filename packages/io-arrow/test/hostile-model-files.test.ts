import { ModelFormatError } from '@combat/core';
import { makeVector, type Vector } from 'apache-arrow';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeModelFile, encodeModelFile } from '../src/index.js';
import { appended, endsLikeAFile, flipped, framed, hostileChecks, jsonPaths, parentOf, reordered, setAtPath } from './hostile-files.js';
import { expectSameModel, modelFiles, rewrite, versionOneFiles, withCell } from './model-file-fixtures.js';

/**
 * Hostile model files: real table and volume model files, of format version 2 and of version 1,
 * and a CovBat model file of version 3 (the fixtures), mutated (random bytes, truncations, bit
 * flips, JSON and column edits), and bytes that were never a model file, must give a
 * ModelFormatError naming the file, or a model equal to the original when the mutation was a
 * no-op; never another exception (no TypeError, no RangeError, and never a hang: damaged bytes are
 * refused by the checksum before apache-arrow parses them). Edits resealed with a new checksum (a tool that edits model files) must give a
 * ModelFormatError or a valid model, and a ModelFormatError whenever the edit makes the model one
 * no fit produces.
 */
const FILES = [...modelFiles(), ...versionOneFiles()].map((original) => ({ ...original, value: original.model }));
const file = fc.constantFrom(...FILES);
const { expectKept, expectRandomBytesRefused, expectRefused, expectRefusedUnlessSame, expectRefusedOrValid } = hostileChecks({
  source: 'hostile.arrow',
  error: ModelFormatError,
  decode: (bytes, options) => {
    const { model, ...extras } = decodeModelFile(bytes, options);
    return { value: model, ...extras };
  },
  encode: encodeModelFile,
  expectSame: expectSameModel,
});

const EDITS = ['delete', 'string', 'minus one', 'huge', 'NaN', 'Infinity', 'null', 'true', 'empty array', 'empty object', 'reverse', 'duplicate', 'same'] as const;

/** Applies an edit at a path of the JSON (in place). */
function editJson(json: Record<string, any>, path: (string | number)[], edit: (typeof EDITS)[number]): void {
  const { parent, key } = parentOf(json, path);
  const replacements: Record<string, unknown> = { string: 'x', 'minus one': -1, huge: 1e308, NaN: 'NaN', Infinity: 'Infinity', null: null, true: true, 'empty array': [], 'empty object': {} };
  if (edit === 'delete') {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key];
  } else if (edit === 'reverse') {
    if (Array.isArray(parent[key])) parent[key].reverse();
  } else if (edit === 'duplicate') {
    // An array entry twice (a batch, a level, a term, a prior), or an object's value under a new key.
    if (Array.isArray(parent)) parent.splice(key as number, 0, structuredClone(parent[key as number]));
    else parent[`${key}2`] = structuredClone(parent[key]);
  } else if (edit !== 'same') {
    parent[key] = replacements[edit];
  }
}

const jsonEdit = fc.record({ pick: fc.nat(), edit: fc.constantFrom(...EDITS) });

/** A column edit: a cell of a Float64 column set to a hostile value. */
const cellEdit = fc.record({ column: fc.nat(), row: fc.nat(), value: fc.constantFrom(NaN, Infinity, -Infinity, -1, 0, -0, 1e308, 5e-324, 0.5, 42) });

function editCell(vectors: Record<string, Vector>, { column, row, value }: { column: number; row: number; value: number }): void {
  const floats = Object.keys(vectors).filter((name) => String(vectors[name]!.type) === 'Float64');
  const name = floats[column % floats.length]!;
  withCell(vectors, name, row % vectors[name]!.length, value);
}

describe('hostile model files', () => {
  it('random bytes: refused, unless no byte changed (then the same model)', () => expectRandomBytesRefused(FILES));

  it('truncations and appended bytes are refused', () => {
    fc.assert(
      fc.property(file, fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 16 }), (original, cut, tail) => {
        expectRefused(original.bytes.slice(0, cut % original.bytes.length));
        if (!endsLikeAFile(tail)) expectRefused(appended(original.bytes, tail));
      }),
      { numRuns: 100 },
    );
  });

  it('JSON edits without a new checksum: refused, unless the file is unchanged', () => {
    const seen = { refused: 0, same: 0 };
    fc.assert(
      fc.property(file, jsonEdit, (original, { pick, edit }) => {
        const bytes = rewrite(original.bytes, {
          seal: false,
          json: (json) => {
            const all = jsonPaths(json);
            editJson(json, all[pick % all.length]!, edit);
          },
        });
        seen[expectRefusedUnlessSame(bytes, original)]++;
      }),
      { numRuns: 150 },
    );
    expect(seen.refused).toBe(150); // re-encoding changes bytes even when the JSON is the same
  });

  it('JSON edits resealed: refused, or a valid model', () => {
    const seen = { refused: 0, valid: 0 };
    fc.assert(
      fc.property(file, jsonEdit, (original, { pick, edit }) => {
        const bytes = rewrite(original.bytes, {
          json: (json) => {
            const all = jsonPaths(json);
            editJson(json, all[pick % all.length]!, edit);
          },
        });
        seen[expectRefusedOrValid(bytes)]++;
      }),
      { numRuns: 150 },
    );
    expect(seen.refused).toBeGreaterThan(50);
    expect(seen.valid).toBeGreaterThan(0);
  });

  it('inconsistent metadata is refused even when resealed: reordered, dropped or extra batches, a dropped covariate, shuffled levels, counts set to NaN, -1 or 1e308', () => {
    type Edit = (json: any) => void;
    const version2: Edit[] = [
      (j) => void ([j.batches[0], j.batches[1]] = [j.batches[1], j.batches[0]]),
      (j) => void j.batches.pop(),
      (j) => void j.batches.push({ batch: 'siteD', samples: 5, training: false }),
      (j) => void j.batches.push(structuredClone(j.batches[2])),
      (j) => void ((j.coding.terms = j.coding.terms.slice(1)), (j.coding.columns = j.coding.columns.filter((c: string) => !c.startsWith('sex:')))),
      (j) => void ((j.coding.terms = j.coding.terms.slice(0, 1)), (j.coding.columns = j.coding.columns.filter((c: string) => c !== 'age'))),
      (j) => void j.coding.terms[0].levels.reverse(),
      (j) => void (j.coding.terms[1].range = ['NaN', 'NaN']),
      (j) => void (j.coding.terms[1].range = [j.coding.terms[1].range[1], j.coding.terms[1].range[0] - 1]),
      (j) => void (j.features = 'NaN'),
      (j) => void (j.features = 1e308),
      (j) => void (j.batches[1].samples = -1),
      (j) => void (j.batches[2].samples = 1e308),
      (j) => void (j.batches[0].samples = null),
      (j) => void ((j.refBatch = 'siteB'), (j.batches[1].training = false)), // the reference batch must be a fitted one
      (j) => void (j.refBatch = 'siteD'),
      (j) => void (j.options.eb = 1),
      (j) => void (j.priors.gammaBar = [...j.priors.gammaBar, 0]),
    ];
    const version1: Edit[] = [
      (j) => void ([j.coding.batches[0], j.coding.batches[1]] = [j.coding.batches[1], j.coding.batches[0]]),
      (j) => void ((j.coding.batches = [...j.coding.batches, 'siteD']), j.batchSizes.push(5)),
      (j) => void ((j.coding.categorical = []), (j.coding.columns = j.coding.columns.filter((c: string) => !c.startsWith('sex:')))),
      (j) => void ((j.coding.continuous = []), (j.coding.columns = j.coding.columns.filter((c: string) => c !== 'age'))),
      (j) => void j.coding.categorical[0].levels.reverse(),
      (j) => void (j.coding.categorical[0].dropped = 'M'),
      (j) => void (j.features = 'NaN'),
      (j) => void (j.features = 1e308),
      (j) => void (j.batchSizes[1] = -1),
      (j) => void (j.batchSizes[2] = 1e308),
      (j) => void (j.batchSizes[0] = null),
      (j) => void (j.coding.refBatch = 'siteD'),
      (j) => void (j.options.eb = 1),
    ];
    const formatOne = FILES.filter((f) => f.name.includes('format 1'));
    const formatTwo = FILES.filter((f) => !f.name.includes('format 1'));
    fc.assert(
      fc.property(fc.constantFrom(...formatTwo), fc.constantFrom(...version2), (original, edit) => expectRefused(rewrite(original.bytes, { json: edit }))),
      { numRuns: 80 },
    );
    fc.assert(
      fc.property(fc.constantFrom(...formatOne), fc.constantFrom(...version1), (original, edit) => expectRefused(rewrite(original.bytes, { json: edit }))),
      { numRuns: 60 },
    );
  });

  it('any JSON value anywhere in the metadata, resealed: refused, or a valid model', () => {
    const seen = { refused: 0, valid: 0 };
    fc.assert(
      fc.property(file, fc.nat(), fc.jsonValue({ maxDepth: 2 }), (original, pick, value) => {
        seen[expectRefusedOrValid(rewrite(original.bytes, { json: (json) => setAtPath(json, pick, value) }))]++;
      }),
      { numRuns: 200 },
    );
    expect(seen.refused).toBeGreaterThan(100);
  });

  it('bytes that were never a model file: refused, whatever they hold', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.boolean(), fc.nat(), (random, frame, footer) => expectRefused(frame ? framed(random, footer) : random)),
      { numRuns: 300 },
    );
  });

  it('single bit flips anywhere: refused', () => {
    fc.assert(
      fc.property(file, fc.nat(), fc.integer({ min: 0, max: 7 }), (original, at, bit) => expectRefused(flipped(original.bytes, [{ at, xor: 1 << bit }]))),
      { numRuns: 300 },
    );
  });

  it('cell edits: refused without a new checksum; resealed, refused or valid, and always refused where no fit goes', () => {
    fc.assert(
      fc.property(file, cellEdit, (original, edit) => {
        expectRefusedUnlessSame(rewrite(original.bytes, { seal: false, columns: (v) => editCell(v, edit) }), original);
        expectRefusedOrValid(rewrite(original.bytes, { columns: (v) => editCell(v, edit) }));
      }),
      { numRuns: 150 },
    );
    fc.assert(
      fc.property(file, fc.nat(), fc.constantFrom(-0.3, 0, NaN, -Infinity), (original, pick, value) => {
        const { model, extras } = original;
        const adjusted = Array.from(model.adjusted.keys()).filter((v) => model.adjusted[v] === 1);
        const v = adjusted[pick % adjusted.length]!;
        const batch = [...model.batches.keys()].find((b) => b !== model.refBatch)!;
        expectRefused(rewrite(original.bytes, { columns: (c) => withCell(c, `deltaStar[${batch}]`, v, value) }));
        expectRefused(rewrite(original.bytes, { columns: (c) => withCell(c, 'varPooled', v, Number.isNaN(value) ? NaN : -Math.abs(value)) }));
        if (extras.mask !== undefined) {
          const indices = extras.mask.indices.slice();
          indices[pick % indices.length] = pick % 2 === 0 ? 24 + (pick % 1000) : -1 - (pick % 1000);
          expectRefused(rewrite(original.bytes, { columns: (c) => void (c.voxel = makeVector(indices)) }));
        }
      }),
      { numRuns: 100 },
    );
  });

  it('no-op rewrites, resealed, keep the model: JSON keys and columns reordered', () => {
    fc.assert(
      fc.property(file, fc.boolean(), (original, reverseColumns) => expectKept(reordered(original.bytes, reverseColumns), original)),
      { numRuns: 20 },
    );
  });
});
