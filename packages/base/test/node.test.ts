import { mkdir, readFile, readdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { temporaryFolder } from '@combat/test-support';
import { canonicalPath, writeFileAtomically } from '@combat/base/node';

test('a write appears whole and leaves no temporary file', async () => {
  const dir = await temporaryFolder('combat-base-');
  await writeFileAtomically(join(dir, 'out.bin'), Uint8Array.of(1, 2, 3));
  expect([...(await readFile(join(dir, 'out.bin')))]).toEqual([1, 2, 3]);
  expect(await readdir(dir)).toEqual(['out.bin']);
});

test('an input reached through a link is refused before anything is written', async () => {
  const dir = await temporaryFolder('combat-base-');
  await writeFile(join(dir, 'data.csv'), 'a\n1\n');
  await symlink(join(dir, 'data.csv'), join(dir, 'link.csv'));
  await expect(writeFileAtomically(join(dir, 'link.csv'), Uint8Array.of(9), { protect: [join(dir, 'data.csv')] })).rejects.toMatchObject({
    name: 'InputOverwriteError',
    path: join(dir, 'link.csv'),
    input: join(dir, 'data.csv'),
  });
  expect(await readFile(join(dir, 'data.csv'), 'utf8')).toBe('a\n1\n');
  expect((await readdir(dir)).sort()).toEqual(['data.csv', 'link.csv']);
});

test('a failed write removes its temporary file', async () => {
  const dir = await temporaryFolder('combat-base-');
  await expect(writeFileAtomically(join(dir, 'missing', 'out.bin'), Uint8Array.of(1))).rejects.toThrow(/ENOENT/);
  expect(await readdir(dir)).toEqual([]);
});

test('canonical paths of a file not yet written resolve the part of the path that exists', async () => {
  const dir = await temporaryFolder('combat-base-');
  await mkdir(join(dir, 'real'));
  await symlink(join(dir, 'real'), join(dir, 'alias'));
  expect(await canonicalPath(join(dir, 'sub', '..', 'new.csv'))).toBe(join(await canonicalPath(dir), 'new.csv'));
  expect(await canonicalPath(join(dir, 'alias', 'a', 'b', 'new.csv'))).toBe(join(await canonicalPath(dir), 'real', 'a', 'b', 'new.csv'));
});
