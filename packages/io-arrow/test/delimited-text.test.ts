import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { temporaryFolder, thrownBy } from '@combat/test-support';
import { describe, expect, it } from 'vitest';
import { TableFormatError, decodeTableText, formatDelimited, parseDelimited, tableFromColumns } from '../src/index.js';
import { readTable } from '../src/node.js';

const TEXT = 'subject,site,age\ns1,Zürich,61\ns2,Köln,47\n';

function utf16(text: string, endian: 'le' | 'be', bom = true): Uint8Array {
  const bytes = new Uint8Array(2 * text.length + (bom ? 2 : 0));
  const view = new DataView(bytes.buffer);
  if (bom) view.setUint16(0, 0xfeff, endian === 'le');
  for (let i = 0; i < text.length; i++) view.setUint16((bom ? 2 : 0) + 2 * i, text.charCodeAt(i), endian === 'le');
  return bytes;
}

async function fileOf(name: string, bytes: Uint8Array | string): Promise<string> {
  const path = join(await temporaryFolder('text'), name);
  await writeFile(path, bytes);
  return path;
}

function refusal(run: () => unknown): TableFormatError {
  return thrownBy(run, TableFormatError);
}

describe('the bytes of a CSV or TSV file become text in one place: decodeTableText', () => {
  it('UTF-16 little- and big-endian with a byte-order mark are read, not turned into garbage', async () => {
    for (const endian of ['le', 'be'] as const) {
      expect(decodeTableText(utf16(TEXT, endian), { source: 'x.csv' })).toBe(TEXT);
      const table = await readTable(await fileOf('covars.csv', utf16(TEXT, endian)));
      expect(table.names).toEqual(['subject', 'site', 'age']);
      expect(table.columns.get('site')!.cells).toEqual(['Zürich', 'Köln']);
      expect(Array.from(table.columns.get('age')!.numbers!)).toEqual([61, 47]);
    }
  });

  it('UTF-8 with or without a byte-order mark', () => {
    const bytes = new TextEncoder().encode(TEXT);
    expect(decodeTableText(bytes, { source: 'x.csv' })).toBe(TEXT);
    expect(decodeTableText(Uint8Array.from([0xef, 0xbb, 0xbf, ...bytes]), { source: 'x.csv' })).toBe(TEXT);
  });

  it('UTF-16 without a byte-order mark is not guessed at: its NUL bytes are refused', async () => {
    const path = await fileOf('covars.csv', utf16('subject,site\ns1,A\n', 'le', false));
    await expect(readTable(path)).rejects.toThrow(
      new TableFormatError(`${path}: a NUL byte at byte offset 1 (line 1), which text does not hold; is it UTF-16 without a byte-order mark, or not a text table? save it as UTF-8`),
    );
    expect(refusal(() => decodeTableText(utf16(TEXT, 'be', false), { source: 'x.csv' })).message).toMatch(/^x\.csv: a NUL byte at byte offset 0 \(line 1\)/);
    expect(refusal(() => parseDelimited('a\0,\0b\0\n', { source: 'x.csv' })).message).toBe(
      'x.csv: line 1 holds a NUL character, which text tables do not; is it UTF-16 without a byte-order mark, or not a text table? save it as UTF-8',
    );
  });

  it('latin-1 (or Windows-1252) bytes are refused where they are, not read as replacement characters', async () => {
    const latin1 = Uint8Array.from(Array.from('subject,site\ns1,Zurich\ns2,K\u00f6ln\n', (c) => c.charCodeAt(0)));
    expect(refusal(() => decodeTableText(latin1, { source: 'x.csv' })).message).toBe(
      'x.csv: not valid UTF-8 at byte offset 27 (line 3); save the file as UTF-8 (other encodings, such as latin-1, are not guessed at)',
    );
    const path = await fileOf('covars.tsv', latin1);
    await expect(readTable(path)).rejects.toThrow(/covars\.tsv: not valid UTF-8 at byte offset 27 \(line 3\)/);
  });

  it('valid text longer than one JavaScript string is called that, not invalid; the chunked reader is named', () => {
    // 2^29 bytes of "a": 24 characters more than V8's longest string.
    const long = new Uint8Array(2 ** 29).fill(0x61);
    expect(refusal(() => decodeTableText(long, { source: 'huge.csv' })).message).toBe(
      "huge.csv: 536870912 bytes of text, more than one JavaScript string holds, so it cannot be read whole; read it in chunks (openTable), as combat's table commands do",
    );
  });

  it('UTF-32 is refused by its byte-order mark', () => {
    expect(refusal(() => decodeTableText(Uint8Array.from([0xff, 0xfe, 0, 0, 0x61, 0, 0, 0]), { source: 'x.csv' })).message).toBe('x.csv: UTF-32 text (its byte-order mark says so); save it as UTF-8');
  });
});

describe('a delimiter is given, never guessed, and a file of another kind says so', () => {
  it('a semicolon-separated file read as CSV', async () => {
    const path = await fileOf('data.csv', 'subject;site;lh_x\ns1;A;"1,5"\n');
    await expect(readTable(path)).rejects.toThrow(new TableFormatError(`${path}: looks semicolon-separated (a header of 1 column containing ";"); save it comma-separated, or tab-separated as .tsv`));
  });

  it('a tab-separated file read as CSV, and a comma-separated one read as TSV', () => {
    expect(refusal(() => parseDelimited('subject\tsite\ns1\tA\n', { source: 'data.csv' })).message).toBe(
      'data.csv: looks tab-separated (a header of 1 column containing "\\t"); name it .tsv, or save it comma-separated',
    );
    expect(refusal(() => parseDelimited('subject,site\ns1,A\n', { source: 'data.tsv', delimiter: '\t' })).message).toBe(
      'data.tsv: looks comma-separated (a header of 1 column containing ","); name it .csv, or save it tab-separated',
    );
  });

  it('a one-column file is read when its header holds no other separator', () => {
    expect(parseDelimited('subject\ns1\ns2\n', { source: 'ids.csv' }).columns.get('subject')!.cells).toEqual(['s1', 's2']);
  });
});

describe('headers, rows and line ends', () => {
  it('an empty or blank column name is refused (a column nobody can name)', () => {
    expect(refusal(() => parseDelimited('a,,b\n1,2,3\n', { source: 'x.csv' })).message).toBe('x.csv: column 2 has no name; every column needs one');
    expect(refusal(() => parseDelimited('a,b,\n1,2,\n', { source: 'x.csv' })).message).toBe('x.csv: column 3 has no name; every column needs one');
    expect(refusal(() => parseDelimited('a, \n1,2\n', { source: 'x.csv' })).message).toBe('x.csv: column 2 has no name; every column needs one');
  });

  it('line ends \\n, \\r\\n and \\r, mixed in one file, all end a row', () => {
    const table = parseDelimited('a,b\r\n1,2\n3,4\r5,6\r\n', { source: 'x.csv' });
    expect(table.rows).toBe(3);
    expect(table.columns.get('b')!.cells).toEqual(['2', '4', '6']);
  });

  it('a broken quote names its row (1 = the first row after the header)', () => {
    expect(refusal(() => parseDelimited('a,b\n1,2\n3,"x\n', { source: 'x.csv' })).message).toBe('x.csv: row 2: Quoted field unterminated');
    expect(refusal(() => parseDelimited('a,"b\n1,2\n', { source: 'x.csv' })).message).toBe('x.csv: the header: Quoted field unterminated');
  });

  it('a one-column table keeps its empty cells through a write and a read', () => {
    const table = tableFromColumns({ age: ['61', '', '47'] }, { source: 'x.csv' });
    const text = formatDelimited(table, new Map());
    expect(text).toBe('age\n61\n""\n47\n');
    const back = parseDelimited(text, { source: 'x.csv' });
    expect(back.rows).toBe(3);
    expect(Array.from(back.columns.get('age')!.numbers!)).toEqual([61, NaN, 47]);
    expect(parseDelimited('age\n61\n\n47\n', { source: 'x.csv' }).rows).toBe(2);
  });
});
