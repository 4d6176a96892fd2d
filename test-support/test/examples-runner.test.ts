import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { transformExample } from '../src/example-code.js';
import { findExamples } from '../src/example-source.js';
import { temporaryFolder } from '../src/temporary.js';

/** transformExample of lines of code, each line named `example.ts:<n>` (1-based). */
function transform(...lines: string[]) {
  return transformExample(lines.join('\n'), (index) => `example.ts:${index + 1}`, (specifier) => specifier);
}

describe('the comments of an example', () => {
  test('a stated value of an expression or of a declared name is an assertion', () => {
    const code = transform('const a = 1 + 1; // 2', 'a * 2; // 4', 'a; // ok', 'a; // 2 rows');
    expect(code.problems).toEqual([]);
    expect(code.body.map((line) => line.text)).toEqual([
      'const a = 1 + 1; $expect.soft(await a, "example.ts:1").toEqual(2);',
      '$expect.soft(await (a * 2), "example.ts:2").toEqual(4);',
      'a; // ok',
      'a; // 2 rows',
    ]);
  });

  test('a stated value that no statement can have is a problem, not prose', () => {
    expect(transform('const { a } = { a: 2 }; // 2').problems).toEqual([expect.stringMatching(/^example\.ts:1: "\/\/ 2" states a value/)]);
    expect(transform('const a = 1, b = 2; // 3').problems).toEqual([expect.stringMatching(/^example\.ts:1: /)]);
    expect(transform('if (Math.random() < 2) Math.abs(-2); // 2').problems).toEqual([expect.stringMatching(/^example\.ts:1: /)]);
    expect(transform('for (const x of [1]) {', '  x; // 1', '}').problems).toEqual([expect.stringMatching(/^example\.ts:2: "\/\/ 1" states a value/)]);
    expect(transform('const f = () => {', "  return 'a'; // 'a'", '};').problems).toEqual([expect.stringMatching(/^example\.ts:2: /)]);
    expect(transform('Math.max(', '  1, // 1', '  2,', ');').problems).toEqual([expect.stringMatching(/^example\.ts:2: /)]);
  });

  test('"// => value" is a problem wherever it is', () => {
    expect(transform('Math.abs(-2); // => 2').problems).toEqual([expect.stringMatching(/^example\.ts:1: "\/\/ => 2": state a value as "\/\/ value"/)]);
    expect(transform('{', '  Math.abs(-2); // => 2', '}').problems).toEqual([expect.stringMatching(/^example\.ts:2: /)]);
  });

  test('a "// throws" that no statement can have is a problem', () => {
    expect(transform('const a = JSON.parse("{"); // throws SyntaxError').problems).toEqual([expect.stringMatching(/^example\.ts:1: expected an expression statement/)]);
    expect(transform('{', '  JSON.parse("{"); // throws SyntaxError', '}').problems).toEqual([expect.stringMatching(/^example\.ts:2: /)]);
    expect(transform('{', '  JSON.parse("{");', '  // throws SyntaxError', '}').problems).toEqual([expect.stringMatching(/^example\.ts:3: /)]);
  });

  test('a "// throws" and the comment lines continuing it are one assertion; prose stays prose', () => {
    const code = transform('// throws when the text is not JSON:', 'JSON.parse("{");', '// throws SyntaxError: Expected', '// property name');
    expect(code.problems).toEqual([]);
    expect(code.body[1]!.text).toBe('await $throws(async () => (JSON.parse("{")), "SyntaxError", "Expected property name", "example.ts:2");');
  });
});

describe('the rules of a package', () => {
  async function packageWith(files: Record<string, string>): Promise<string> {
    const root = await temporaryFolder('combat-examples-runner');
    const tsconfig = { compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, types: [] } };
    for (const [path, text] of Object.entries({ 'tsconfig.json': JSON.stringify(tsconfig), ...files })) {
      await mkdir(join(root, path, '..'), { recursive: true });
      await writeFile(join(root, path), text);
    }
    return root;
  }
  const manifest = (exports: Record<string, unknown>) => JSON.stringify({ name: '@combat/sample', type: 'module', exports });
  const entries = { '.': { source: './src/index.ts' }, './internal': { source: './src/internal.ts' } };

  test('an example on an export of ./internal is a problem, and none is needed', async () => {
    const root = await packageWith({
      'package.json': manifest(entries),
      'src/index.ts': "/**\n * One.\n *\n * @example\n * ```ts\n * one(); // 1\n * ```\n */\nexport function one(): number {\n  return 1;\n}\n",
      'src/internal.ts': "/**\n * Two.\n *\n * @example\n * ```ts\n * two(); // 2\n * ```\n */\nexport function two(): number {\n  return 2;\n}\n/** Three. */\nexport function three(): number {\n  return 3;\n}\n",
    });
    const found = findExamples(root);
    expect(found.examples.map((example) => example.name)).toEqual(['one (example 1)']);
    expect(found.problems).toEqual([expect.stringMatching(/internal\.ts:4: two has an @example but is internal/)]);
  });

  test('an unclosed code fence is a problem', async () => {
    const root = await packageWith({
      'package.json': manifest({ '.': { source: './src/index.ts' } }),
      'src/index.ts': "/**\n * One.\n *\n * @example\n * ```ts\n * one(); // 1\n */\nexport function one(): number {\n  return 1;\n}\n",
    });
    expect(findExamples(root).problems).toEqual([expect.stringMatching(/index\.ts:5: the @example of one opens a code fence/)]);
  });

  test('a package with no entry point, or with no example, is a problem', async () => {
    const none = await packageWith({ 'package.json': manifest({ '.': './dist/index.js' }), 'src/index.ts': 'export const one = 1;\n' });
    expect(findExamples(none).problems).toEqual([expect.stringMatching(/package\.json: no entry point/)]);
    const internalOnly = await packageWith({ 'package.json': manifest({ './internal': { source: './src/index.ts' } }), 'src/index.ts': '/** One. */\nexport const one = 1;\n' });
    expect(findExamples(internalOnly).problems).toEqual([expect.stringMatching(/src: no @example in any export of @combat\/sample/)]);
  });
});
