import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { REPO_ROOT } from '../src/fixtures.js';

const PACKAGES = ['base', 'core', 'threads', 'volumes', 'io-nifti', 'io-arrow', 'diagnostics'];

/** Every runtime export of every entry point of every published package, with where it comes from. */
async function allExports(): Promise<{ entry: string; name: string; value: unknown }[]> {
  const found: { entry: string; name: string; value: unknown }[] = [];
  for (const name of PACKAGES) {
    const manifest = JSON.parse(await readFile(join(REPO_ROOT, 'packages', name, 'package.json'), 'utf8')) as { name: string; exports: Record<string, unknown> };
    for (const subpath of Object.keys(manifest.exports).filter((path) => path !== './package.json')) {
      const entry = `${manifest.name}${subpath.slice(1)}`;
      const module = (await import(entry)) as Record<string, unknown>;
      for (const [key, value] of Object.entries(module)) found.push({ entry, name: key, value });
    }
  }
  return found;
}

test('a name exported by two packages is one definition, re-exported', async () => {
  const byName = new Map<string, { entry: string; value: unknown }[]>();
  for (const { entry, name, value } of await allExports()) byName.set(name, [...(byName.get(name) ?? []), { entry, value }]);
  const twice = [...byName].filter(([, homes]) => homes.some((home) => home.value !== homes[0]?.value)).map(([name, homes]) => `${name}: ${homes.map((h) => h.entry).join(', ')}`);
  expect(twice).toEqual([]);
});

test('every exported error class keeps its name when the code is minified', async () => {
  const { build } = await import('esbuild');
  // CombatError is abstract: only the classes a package throws are constructed.
  const errors = (await allExports()).filter(({ name, value }) => name !== 'CombatError' && typeof value === 'function' && (value as { prototype?: unknown }).prototype instanceof Error);
  expect(errors.length).toBeGreaterThan(10);
  const entries = [...new Set(errors.map(({ entry }) => entry))];
  const source = entries.map((entry, i) => `export * as m${i} from '${entry}';`).join('\n');
  const result = await build({ stdin: { contents: source, resolveDir: fileURLToPath(new URL('..', import.meta.url)), loader: 'ts' }, bundle: true, minify: true, format: 'esm', platform: 'node', conditions: ['source'], write: false });
  const url = `data:text/javascript;base64,${Buffer.from(result.outputFiles[0]!.text).toString('base64')}`;
  const bundled = (await import(url)) as Record<string, Record<string, new (a: string, b: string, c: string) => Error>>;
  // Every error constructor takes strings first (a detail, a source, a path); three satisfy them all.
  const names = errors.map(({ entry, name }) => [name, new bundled[`m${entries.indexOf(entry)}`]![name]!('a', 'b', 'c').name]);
  expect(names.filter(([name, seen]) => name !== seen)).toEqual([]);
});
