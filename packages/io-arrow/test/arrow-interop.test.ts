import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { fixturePath, temporaryFolder } from '@combat/test-support';
import { describe, expect, it } from 'vitest';
import { readTable } from '../src/node.js';

const DIR = fixturePath('arrow-interop');

interface IntegrationJson {
  schema: { fields: { name: string; type: { name: string; precision?: string } }[] };
  batches: { count: number; columns: { name: string; VALIDITY: number[]; DATA: (number | string | boolean)[] }[] }[];
}

const CASES = [
  ['2.0.0-compression_generated_lz4.arrow_file', '2.0.0-compression_generated_lz4.json.gz'],
  ['2.0.0-compression_generated_zstd.arrow_file', '2.0.0-compression_generated_zstd.json.gz'],
  ['2.0.0-compression_generated_zstd.stream', '2.0.0-compression_generated_zstd.json.gz'],
  ['cpp-21.0.0_generated_primitive.arrow_file', 'cpp-21.0.0_generated_primitive.json.gz'],
] as const;

describe.each(CASES)('%s (written by Arrow C++)', (file, json) => {
  it('reads to what the integration JSON says', async () => {
    // Read through a .arrow name: the CLI picks the format by extension.
    const { copyFile } = await import('node:fs/promises');
    const dir = await temporaryFolder('arrow');
    await copyFile(join(DIR, file), join(dir, 'table.arrow'));
    const table = await readTable(join(dir, 'table.arrow'));
    const expected = JSON.parse(gunzipSync(readFileSync(join(DIR, json))).toString('utf8')) as IntegrationJson;
    expect(table.names).toEqual(expected.schema.fields.map((f) => f.name));
    expect(table.rows).toBe(expected.batches.reduce((n, b) => n + b.count, 0));
    for (const field of expected.schema.fields) {
      const column = table.columns.get(field.name)!;
      const cells = expected.batches.flatMap((b) => {
        const c = b.columns.find((x) => x.name === field.name)!;
        return c.DATA.map((value, k) => (c.VALIDITY[k] === 0 ? null : value));
      });
      cells.forEach((value, row) => {
        if (value === null) {
          expect(column.cells[row], `${field.name}[${row}]`).toBeNull();
          if (column.numbers !== null) expect(column.numbers[row]).toBeNaN();
        } else if (field.type.name === 'int' || field.type.name === 'floatingpoint') {
          const number = field.type.precision === 'SINGLE' ? Math.fround(Number(value)) : Number(value);
          expect(column.numbers?.[row], `${field.name}[${row}]`).toBe(number);
        } else {
          expect(column.cells[row], `${field.name}[${row}]`).toBe(String(value));
        }
      });
    }
  });
});
