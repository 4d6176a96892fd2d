/**
 * The doc-test runner: every `@example` of a package's exports is type-checked and run as a
 * vitest test (see the README for the conventions).
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { test } from 'vitest';
import { transformExample, type ExampleCode, type Line } from './example-code.js';
import { findExamples, type Example, type PackageExamples } from './example-source.js';
import { temporaryFolder } from './temporary.js';

/** Options of {@link describeExamples}. */
export interface ExampleOptions {
  /**
   * A module (path or file URL) exporting `context()`: called in each example's fresh working
   * directory, it may write the files the examples name, and returns (or resolves to) an object
   * whose properties are variables every example may use without declaring them.
   */
  readonly context?: string | URL;
}

/**
 * Registers vitest tests for the `@example` blocks of a package's exports: one that every export
 * of a public entry point has an example and nothing else has one, one that the examples
 * type-check, and one per example, run in a fresh temporary working directory. Each example is
 * written as a module of its own in `test/.examples/` (its imports, the package's public exports,
 * the context), and all of them are type-checked as one program. Call it at the top level of a
 * test file, with `await`.
 *
 * @example
 * ```ts
 * // packages/volumes/test/examples.test.ts
 * await describeExamples(new URL('..', import.meta.url), { context: new URL('./examples-context.ts', import.meta.url) });
 * ```
 */
export async function describeExamples(packageDir: string | URL, options: ExampleOptions = {}): Promise<void> {
  const root = toPath(packageDir);
  const contextFile = options.context === undefined ? undefined : toPath(options.context);
  const found = findExamples(root, contextFile);
  const label = found.name.replace(/^@[^/]+\//, '');
  const folder = join(root, 'test', '.examples');
  const files = moduleFiles(folder, found.examples);
  const codes = found.examples.map((example, index) =>
    transformExample(example.code, example.whereLine, (specifier) => rewrite(found, files[index]!, specifier)),
  );
  const modules = codes.map((code, index) => generate(found, files[index]!, contextFile, found.examples[index]!, code));
  writeModules(folder, files, modules);
  const diagnostics = typeCheck(found, files, modules);

  test(`${label}: every export has an example, and only exports do`, ({ expect }) => {
    expect(found.problems).toEqual([]);
  });
  test(`${label}: the examples type-check`, ({ expect }) => {
    expect(diagnostics).toEqual([]);
  });
  found.examples.forEach((example, index) => {
    test(`${label}: ${example.name}`, async () => {
      if (codes[index]!.problems.length > 0) throw new Error(codes[index]!.problems.join('\n'));
      const { run } = (await import(files[index]!)) as { run: () => Promise<void> };
      const previous = process.cwd();
      process.chdir(await temporaryFolder('combat-example'));
      try {
        await run();
      } finally {
        process.chdir(previous);
      }
    });
  });
}

function toPath(path: string | URL): string {
  return resolve(path instanceof URL || path.startsWith('file:') ? fileURLToPath(path) : path);
}

/** The package's own specifiers as paths relative to the generated module; others unchanged. */
function rewrite(found: PackageExamples, file: string, specifier: string): string {
  const entry = found.entries.find((candidate) => candidate.specifier === specifier);
  return entry ? importPath(file, entry.file) : specifier;
}

function importPath(from: string, to: string): string {
  const path = relative(dirname(from), to).split('\\').join('/').replace(/\.ts$/, '.js');
  return path.startsWith('.') ? path : `./${path}`;
}

/**
 * The path of each example's module: its name as a file name (`harmonize.1.ts`), made unique
 * where only letter case tells two apart (a file system may not).
 */
function moduleFiles(folder: string, examples: readonly Example[]): string[] {
  const taken = new Set<string>();
  return examples.map((example) => {
    const base = example.name.replace(/ \(example (\d+)\)$/, '.$1').replace(/[^\w$.-]+/g, '_');
    let name = base;
    for (let n = 2; taken.has(name.toLowerCase()); n++) name = `${base}-${n}`;
    taken.add(name.toLowerCase());
    return join(folder, `${name}.ts`);
  });
}

/**
 * Writes the modules, each only when it changed (rewriting one would make vitest's watch mode run
 * the examples again), and removes the modules of examples that are gone.
 */
function writeModules(folder: string, files: readonly string[], modules: readonly (readonly Line[])[]): void {
  mkdirSync(folder, { recursive: true });
  const kept = new Set(files.map((file) => basename(file)));
  for (const name of readdirSync(folder)) if (name.endsWith('.ts') && !kept.has(name)) rmSync(join(folder, name), { force: true });
  files.forEach((file, index) => {
    const text = modules[index]!.map((line) => line.text).join('\n') + '\n';
    if (!existsSync(file) || readFileSync(file, 'utf8') !== text) writeFileSync(file, text);
  });
}

/**
 * An example's module: the example's own imports, then every export of the package's public
 * entry points that it does not import itself, a helper, and `run()`, which gets the context's
 * variables and runs the example's body in a block of its own.
 */
function generate(found: PackageExamples, file: string, contextFile: string | undefined, example: Example, code: ExampleCode): Line[] {
  const explicit = new Set(code.importedNames);
  const automatic = found.exports
    .filter(({ name, entry }, index) => !entry.internal && name !== 'default' && !explicit.has(name) && found.exports.findIndex((other) => other.name === name) === index)
    .map(({ name, entry, isValue }) => ({ text: `import { ${isValue ? '' : 'type '}${name} } from '${importPath(file, entry.file)}';` }));
  const context = found.contextKeys.length > 0 ? `const { ${found.contextKeys.join(', ')} } = await $context.context();` : 'await $context.context();';
  return [
    { text: `// Generated from ${example.where} (${found.name}: ${example.name}) by @combat/test-support; do not edit.` },
    { text: `import { expect as $expect } from 'vitest';` },
    ...(contextFile ? [{ text: `import * as $context from '${importPath(file, contextFile)}';` }] : []),
    ...code.imports,
    ...automatic,
    { text: '' },
    { text: 'async function $throws(run: () => Promise<unknown>, name: string, text: string, where: string): Promise<void> {' },
    { text: "  const error = await run().then(() => 'no error', (thrown: unknown) => thrown);" },
    { text: '  const thrown = error instanceof Error ? { name: error.name, message: error.message } : error;' },
    { text: '  $expect.soft(thrown, where).toEqual({ name, message: $expect.stringContaining(text) });' },
    { text: '}' },
    { text: '' },
    { text: 'export async function run(): Promise<void> {' },
    ...(contextFile ? [{ text: `  ${context}` }] : []),
    { text: '  {' },
    ...code.body,
    { text: '  }' },
    { text: '}' },
  ];
}

/** The modules' type errors, each as `path:line: message` of the example line it comes from. */
function typeCheck(found: PackageExamples, files: readonly string[], modules: readonly (readonly Line[])[]): string[] {
  const options = { ...found.options, noUnusedLocals: false, noUnusedParameters: false, noEmit: true };
  const program = ts.createProgram({ rootNames: files, options, oldProgram: found.program });
  return files.flatMap((file, index) => {
    const source = program.getSourceFile(file)!;
    return [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)].map((diagnostic) => {
      const line = source.getLineAndCharacterOfPosition(diagnostic.start ?? 0).line;
      return `${modules[index]![line]?.where ?? `${relative(process.cwd(), file)}:${line + 1}`}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ')}`;
    });
  });
}
