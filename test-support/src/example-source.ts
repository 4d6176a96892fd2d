/**
 * Finding a package's examples: its entry points (the `source` conditions of its `exports`), the
 * symbols they export, and the fenced code blocks of those symbols' `@example` tags, read with the
 * TypeScript compiler API.
 */
import { existsSync, readFileSync, readdirSync, realpathSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import ts from 'typescript';

/** An entry point of a package: a subpath of its `exports` that has a `source` condition. */
export interface Entry {
  /** The subpath, e.g. `'./node'`. */
  readonly subpath: string;
  /** The specifier users import, e.g. `'@combat/base/node'`. */
  readonly specifier: string;
  /** The absolute path of its source file. */
  readonly file: string;
  /** Whether it is `./internal`, whose exports are internals: they have no example. */
  readonly internal: boolean;
}

/** A name an entry point exports, and whether it is a value (else it is imported with `type`). */
export interface ExportedName {
  readonly name: string;
  readonly entry: Entry;
  readonly isValue: boolean;
}

/** One fenced code block of an `@example` tag. */
export interface Example {
  /** The symbol it documents and its number, e.g. `'InMemoryVolumeResource.load (example 1)'`. */
  readonly name: string;
  /** Where its first line of code is, as `path:line` relative to the working directory. */
  readonly where: string;
  /** `where` for the block's line `index` (0-based). */
  readonly whereLine: (index: number) => string;
  readonly code: string;
}

/** What {@link findExamples} found in a package. */
export interface PackageExamples {
  /** The package's name, e.g. `'@combat/base'`. */
  readonly name: string;
  /** Non-internal entries first. */
  readonly entries: readonly Entry[];
  readonly exports: readonly ExportedName[];
  readonly examples: readonly Example[];
  /**
   * Exports without an example, examples on internals (declarations no public entry exports),
   * unreadable examples (no ```` ```ts ```` block, an unclosed fence), no entry point, no example,
   * a context module not named `test/examples-context.ts`.
   */
  readonly problems: readonly string[];
  /** The properties of the object the context module's `context()` returns (or resolves to). */
  readonly contextKeys: readonly string[];
  /** The package's tsconfig.json options. */
  readonly options: ts.CompilerOptions;
  /** The program over the package's sources, for reuse by the type-check. */
  readonly program: ts.Program;
}

/**
 * Reads a package's entry points and collects the examples of everything their public entries
 * export (with the public members of exported classes and interfaces), and the rule breaks: a
 * public export without an example, an example anywhere else in `src/` (a helper, a private
 * member, an export of `./internal`), an example with no ```` ```ts ```` block or with an unclosed
 * fence, a library (no `bin`) with no entry point (a subpath of `exports` with a `source`
 * condition) or with no example at all, a context module other than `test/examples-context.ts`. Symbols declared
 * outside the package (re-exports) are skipped.
 */
export function findExamples(packageDir: string, contextFile?: string): PackageExamples {
  const root = realpathSync(packageDir);
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; exports?: Record<string, unknown>; bin?: unknown };
  const entries = Object.entries(manifest.exports ?? {})
    .flatMap(([subpath, target]) => {
      const source = (target as { source?: unknown } | null)?.source;
      return typeof source === 'string' ? [{ subpath, specifier: manifest.name + subpath.slice(1), file: join(root, source), internal: subpath === './internal' }] : [];
    })
    .sort((a, b) => Number(a.internal) - Number(b.internal));
  const config = ts.readConfigFile(join(root, 'tsconfig.json'), ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config.config ?? {}, ts.sys, root);
  const sources = readdirSync(join(root, 'src'), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts') && !file.endsWith('.test.ts'))
    .map((file) => join(root, 'src', file));
  const program = ts.createProgram([...entries.map((entry) => entry.file), ...sources, ...(contextFile ? [contextFile] : [])], options);
  const checker = program.getTypeChecker();

  const problems: string[] = [];
  if (contextFile !== undefined && relative(root, existsSync(contextFile) ? realpathSync(contextFile) : contextFile) !== join('test', 'examples-context.ts')) {
    problems.push(`${relative(process.cwd(), contextFile)}: the context module of the examples is test/examples-context.ts; rename it`);
  }
  // An application (a package with a bin) may have no entry point: then every example is an internal's.
  if (entries.length === 0 && manifest.bin === undefined) problems.push(`${relative(process.cwd(), join(root, 'package.json'))}: no entry point: expected a subpath of "exports" with a "source" condition`);
  const exports: ExportedName[] = [];
  const documented = new Map<ts.JSDocTag, string>();
  const seen = new Set<ts.Symbol>();
  for (const entry of entries) {
    for (const exported of moduleExports(program, entry.file)) {
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      const typeOnly = exported.declarations?.some((declaration) => ts.isTypeOnlyImportOrExportDeclaration(declaration)) ?? false;
      exports.push({ name: exported.name, entry, isValue: !typeOnly && (symbol.flags & ts.SymbolFlags.Value) !== 0 });
      const declarations = (symbol.declarations ?? []).filter((declaration) => declaration.getSourceFile().fileName.startsWith(root + sep));
      if (declarations.length === 0 || seen.has(symbol)) continue;
      seen.add(symbol);
      // An export of ./internal only (public entries come first) is an internal: the scan of src/
      // below reports its examples.
      if (entry.internal) continue;
      const own = declarations.flatMap((declaration) => ts.getJSDocTags(declaration).filter(isExample));
      if (own.length === 0) problems.push(`${where(declarations[0]!)}: ${exported.name} (exported by ${entry.specifier}) has no @example`);
      for (const tag of own) documented.set(tag, exported.name);
      for (const declaration of declarations) {
        eachExampleTag(declaration, (tag, host) => documented.has(tag) || documented.set(tag, `${exported.name}.${nameOf(host)}`), true);
      }
    }
  }
  for (const file of sources) {
    eachExampleTag(program.getSourceFile(file)!, (tag, host) => {
      if (!documented.has(tag)) problems.push(`${where(tag)}: ${nameOf(host)} has an @example but is internal (no public entry point exports it, or it is private); examples are for the API`);
    });
  }

  const examples: Example[] = [];
  const counts = new Map<string, number>();
  for (const [tag, symbol] of documented) {
    const { blocks, unclosed } = codeBlocks(tag);
    if (unclosed !== undefined) problems.push(`${unclosed}: the @example of ${symbol} opens a code fence (\`\`\`) it never closes`);
    else if (blocks.length === 0) problems.push(`${where(tag)}: the @example of ${symbol} has no \`\`\`ts block`);
    for (const block of blocks) {
      const count = (counts.get(symbol) ?? 0) + 1;
      counts.set(symbol, count);
      examples.push({ name: `${symbol} (example ${count})`, ...block });
    }
  }
  if (entries.length > 0 && documented.size === 0) problems.push(`${relative(process.cwd(), join(root, 'src'))}: no @example in any export of ${manifest.name}`);
  return { name: manifest.name, entries, exports, examples, problems, contextKeys: contextFile ? contextKeys(program, contextFile, problems) : [], options, program };
}

function moduleExports(program: ts.Program, file: string): ts.Symbol[] {
  const source = program.getSourceFile(file);
  const module = source && program.getTypeChecker().getSymbolAtLocation(source);
  return module ? program.getTypeChecker().getExportsOfModule(module) : [];
}

/** The names of the properties of what the module's `context()` returns, awaited. */
function contextKeys(program: ts.Program, file: string, problems: string[]): string[] {
  const checker = program.getTypeChecker();
  const context = moduleExports(program, file).find((symbol) => symbol.name === 'context');
  const signature = context && checker.getTypeOfSymbol(context).getCallSignatures()[0];
  if (!signature) {
    problems.push(`${relative(process.cwd(), file)}: expected an exported function context()`);
    return [];
  }
  const returned = checker.getReturnTypeOfSignature(signature);
  return checker.getPropertiesOfType(checker.getAwaitedType(returned) ?? returned).map((property) => property.name);
}

function isExample(tag: ts.JSDocTag): boolean {
  return tag.tagName.text === 'example';
}

/**
 * Calls `visit` for each `@example` tag in `node` and its descendants, with the node it documents;
 * with `publicOnly`, not in private class members (`private` or `#name`).
 */
function eachExampleTag(node: ts.Node, visit: (tag: ts.JSDocTag, host: ts.Node) => void, publicOnly = false): void {
  if (publicOnly && isPrivate(node)) return;
  for (const tag of ts.getJSDocTags(node)) if (tag.parent.parent === node && isExample(tag)) visit(tag, node);
  ts.forEachChild(node, (child) => {
    eachExampleTag(child, visit, publicOnly);
  });
}

function isPrivate(node: ts.Node): boolean {
  if (!ts.isClassElement(node)) return false;
  return (ts.getCombinedModifierFlags(node) & ts.ModifierFlags.Private) !== 0 || (node.name !== undefined && ts.isPrivateIdentifier(node.name));
}

function nameOf(node: ts.Node): string {
  if (ts.isVariableStatement(node)) return node.declarationList.declarations.map((declaration) => declaration.name.getText()).join(', ');
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  return ts.getNameOfDeclaration(node as ts.Declaration)?.getText() ?? ts.SyntaxKind[node.kind];
}

function where(node: ts.Node, lineOffset = 0): string {
  const source = node.getSourceFile();
  return `${relative(process.cwd(), source.fileName)}:${source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1 + lineOffset}`;
}

/**
 * The ```` ```ts ```` (or `typescript`, or unlabelled) fenced blocks of an `@example` tag, and
 * where a fence that is never closed opens.
 */
function codeBlocks(tag: ts.JSDocTag): { blocks: Omit<Example, 'name'>[]; unclosed?: string } {
  const lines = tag.getSourceFile().text.slice(tag.getStart(), tag.end).split('\n')
    .map((line) => line.replace(/^\s*\*(?!\/) ?/, '').replace(/\s*\*\/\s*$/, ''));
  const blocks: Omit<Example, 'name'>[] = [];
  let start: number | undefined;
  let language = '';
  lines.forEach((line, index) => {
    const fence = /^\s*```\s*(\w*)\s*$/.exec(line);
    if (!fence) return;
    if (start === undefined) {
      start = index + 1;
      language = fence[1]!;
      return;
    }
    if (['', 'ts', 'typescript'].includes(language)) {
      const first = start;
      blocks.push({ where: where(tag, first), whereLine: (offset) => where(tag, first + offset), code: lines.slice(first, index).join('\n') });
    }
    start = undefined;
  });
  return start === undefined ? { blocks } : { blocks, unclosed: where(tag, start - 1) };
}
