import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { browserAvailable, bundleForBrowser, evaluateInChromium, fixturePath } from '@combat/test-support';
import { describe, expect, it } from 'vitest';
import { decodeArrowTable } from '../src/index.js';

const ZSTD = fixturePath('arrow-interop', '2.0.0-compression_generated_zstd.arrow_file');
const LZ4 = fixturePath('arrow-interop', '2.0.0-compression_generated_lz4.arrow_file');

describe.skipIf(!browserAvailable)('in a browser (headless Chromium)', () => {
  it('decodes LZ4 and ZSTD Arrow files and parses CSV, with no Node built-in', async () => {
    const script = await bundleForBrowser(
      `import { decodeArrowTable, parseDelimited } from '../src/index.ts';
       globalThis.tables = { decodeArrowTable, parseDelimited };`,
      fileURLToPath(new URL('.', import.meta.url)),
    );
    const result = await evaluateInChromium(
      script,
      (files) => {
        const { decodeArrowTable, parseDelimited } = (globalThis as any).tables;
        const cells = (bytes: number[]) => decodeArrowTable(Uint8Array.from(bytes), { source: 'f' }).columns.get('strs').cells;
        return { zstd: cells(files.zstd), lz4: cells(files.lz4), csv: Array.from(parseDelimited('a,b\n1,NA\n', { source: 'x.csv' }).columns.get('b').numbers) };
      },
      { zstd: Array.from(readFileSync(ZSTD)), lz4: Array.from(readFileSync(LZ4)) },
    );
    expect(result.zstd).toEqual(decodeArrowTable(readFileSync(ZSTD), { source: 'zstd' }).columns.get('strs')!.cells);
    expect(result.lz4).toEqual(decodeArrowTable(readFileSync(LZ4), { source: 'lz4' }).columns.get('strs')!.cells);
    expect(result.csv).toEqual([NaN]);
  });
});
