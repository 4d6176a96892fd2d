/**
 * The doc-test runner: every `@example` of a package's exports is type-checked and run as a
 * vitest test (see the README for the conventions).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { test } from 'vitest';
import { transformExample, type Line } from './example-code.js';
import { findExamples, type PackageExamples } from './example-source.js';
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
 * of a non-internal entry point has an example and nothing else has one, one that the examples
 * type-check, and one per example, run in a fresh temporary working directory. The examples are
 * written as one module, `test/.examples/examples.generated.ts`, which the type-check and the
 * tests use. Call it at the top level of a test file, with `await`.
 *
 * @example
 * ```ts
 * // packages/core/test/examples.test.ts
 * await describeExamples(new URL('..', import.meta.url), { context: new URL('./example-context.ts', import.meta.url) });
 * ```
 */
export async function describeExamples(packageDir: string | URL, options: ExampleOptions = {}): Promise<void> {
  const root = toPath(packageDir);
  const contextFile = options.context === undefined ? undefined : toPath(options.context);
  const found = findExamples(root, contextFile);
  const label = found.name.replace(/^@[^/]+\//, '');
  const file = join(root, 'test', '.examples', 'examples.generated.ts');
  const codes = found.examples.map((example) => transformExample(example.code, example.whereLine, (specifier) => rewrite(found, file, specifier)));
  const lines = generate(found, file, contextFile, codes);
  const text = lines.map((line) => line.text).join('\n');
  mkdirSync(dirname(file), { recursive: true });
  // Written only when it changed: rewriting it would make vitest's watch mode run this file again.
  if (!existsSync(file) || readFileSync(file, 'utf8') !== text) writeFileSync(file, text);
  const diagnostics = typeCheck(found, file, lines);

  test(`${label}: every export has an example, and only exports do`, ({ expect }) => {
    expect(found.problems).toEqual([]);
  });
  test(`${label}: the examples type-check`, ({ expect }) => {
    expect(diagnostics).toEqual([]);
  });
  const loaded = await import(file).then(
    (module: { examples: (() => Promise<void>)[] }) => module.examples,
    (error: unknown) => error,
  );
  found.examples.forEach((example, index) => {
    test(`${label}: ${example.name}`, async () => {
      if (codes[index]!.problems.length > 0) throw new Error(codes[index]!.problems.join('\n'));
      if (!Array.isArray(loaded)) throw loaded;
      const previous = process.cwd();
      process.chdir(await temporaryFolder('combat-example'));
      try {
        await loaded[index]!();
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

/** The generated module's lines: imports, a helper, and `examples`, one async function each. */
function generate(found: PackageExamples, file: string, contextFile: string | undefined, codes: ReturnType<typeof transformExample>[]): Line[] {
  const explicit = new Set(codes.flatMap((code) => code.importedNames));
  const automatic = found.exports
    .filter(({ name }, index) => name !== 'default' && !explicit.has(name) && found.exports.findIndex((other) => other.name === name) === index)
    .map(({ name, entry, isValue }) => ({ text: `import { ${isValue ? '' : 'type '}${name} } from '${importPath(file, entry.file)}';` }));
  const imports = new Map(codes.flatMap((code) => code.imports).map((line) => [line.text, line]));
  const context = found.contextKeys.length > 0 ? `const { ${found.contextKeys.join(', ')} } = await $context.context();` : 'await $context.context();';
  return [
    { text: `// Generated from the @example blocks of ${found.name} by @combat/test-support; do not edit.` },
    { text: `import { expect as $expect } from 'vitest';` },
    ...(contextFile ? [{ text: `import * as $context from '${importPath(file, contextFile)}';` }] : []),
    ...imports.values(),
    ...automatic,
    { text: '' },
    { text: 'async function $throws(run: () => Promise<unknown>, name: string, text: string, where: string): Promise<void> {' },
    { text: "  const error = await run().then(() => 'no error', (thrown: unknown) => thrown);" },
    { text: '  const thrown = error instanceof Error ? { name: error.name, message: error.message } : error;' },
    { text: '  $expect.soft(thrown, where).toEqual({ name, message: $expect.stringContaining(text) });' },
    { text: '}' },
    { text: '' },
    { text: 'export const examples: (() => Promise<void>)[] = [' },
    ...codes.flatMap((code) => [
      { text: '  async () => {' },
      ...(contextFile ? [{ text: `    ${context}` }] : []),
      { text: '    {' },
      ...code.body,
      { text: '    }' },
      { text: '  },' },
    ]),
    { text: '];' },
  ];
}

/** The generated module's type errors, each as `path:line: message` of the example line. */
function typeCheck(found: PackageExamples, file: string, lines: readonly Line[]): string[] {
  const options = { ...found.options, noUnusedLocals: false, noUnusedParameters: false, noEmit: true };
  const program = ts.createProgram({ rootNames: [file], options, oldProgram: found.program });
  const source = program.getSourceFile(file)!;
  return [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)].map((diagnostic) => {
    const line = source.getLineAndCharacterOfPosition(diagnostic.start ?? 0).line;
    return `${lines[line]?.where ?? `${relative(process.cwd(), file)}:${line + 1}`}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ')}`;
  });
}
