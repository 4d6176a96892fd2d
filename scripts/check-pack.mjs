#!/usr/bin/env node
/**
 * Checks what `npm pack` would publish for the package in the current folder: every path the
 * `exports` map, `bin`, `main` or `types` names is in the tarball, and every source map in it
 * points at sources that are in it too. Exits 1 with one line per problem.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';

const manifest = JSON.parse(readFileSync('package.json', 'utf8'));
const [packed] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
const shipped = new Set(packed.files.map((file) => normalize(file.path)));
const problems = [];

/** Every string target of an exports map, with the condition path that leads to it. */
function targets(value, where) {
  if (typeof value === 'string') return [[where, value]];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, inner]) => targets(inner, `${where} > ${key}`));
}

const named = [
  ...targets(manifest.exports ?? {}, 'exports'),
  ...targets(typeof manifest.bin === 'string' ? { [manifest.name]: manifest.bin } : manifest.bin ?? {}, 'bin'),
  ...(manifest.main ? [['main', manifest.main]] : []),
  ...(manifest.types ? [['types', manifest.types]] : []),
];
for (const [where, target] of named) {
  if (!shipped.has(normalize(target))) problems.push(`${where}: ${target} is not in the tarball`);
}
for (const file of shipped) {
  if (!file.endsWith('.map')) continue;
  const map = JSON.parse(readFileSync(file, 'utf8'));
  for (const source of map.sources ?? []) {
    const resolved = normalize(join(dirname(file), map.sourceRoot ?? '', source));
    if (!shipped.has(resolved)) problems.push(`${file}: its source ${source} (${resolved}) is not in the tarball`);
  }
}
if (problems.length > 0) {
  console.error(`${manifest.name}: what npm would publish is incomplete:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  process.exit(1);
}
console.log(`${manifest.name}: ${shipped.size} files; every export target and source-map source is in the tarball`);
