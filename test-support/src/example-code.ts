/**
 * Turning an example into test code: its imports are hoisted, and a statement followed by a
 * comment that states its value, or the error it throws, becomes an assertion; a comment that
 * looks like one but belongs to no statement that can have one is a problem. The body keeps one
 * line per line of the example, so a type error's line maps back to the example's.
 */
import ts from 'typescript';

/** A line of generated code, with the `path:line` of the example line it comes from. */
export interface Line {
  readonly text: string;
  readonly where?: string;
}

/** An example as code: its import declarations (one binding each) and its body. */
export interface ExampleCode {
  readonly imports: readonly Line[];
  /** The local names its imports bind. */
  readonly importedNames: readonly string[];
  readonly body: readonly Line[];
  /**
   * Why it cannot run (a syntax error, a malformed `// throws`, a comment that looks like an
   * assertion but cannot be one); the body is empty then.
   */
  readonly problems: readonly string[];
}

const THROWS = /^throws\s+([A-Za-z_$][\w$]*)(?::\s*(.*))?$/;
/** A comment alone on its line that reads as a `// throws` assertion (`throws SomeError`), not prose. */
const THROWS_LINE = /^throws\s+[A-Z][\w$]*\s*(?::|$)/;

/**
 * Transforms an example's code. `whereLine(i)` names its line `i` (0-based); `rewrite` maps an
 * import specifier (the package's own ones to relative paths). At the top level of the example:
 * - `expression; // expected`, where `expected` is one expression (not a lone identifier other
 *   than `undefined`, `NaN` or `Infinity`), asserts `expect(await (expression)).toEqual(expected)`;
 * - `const name = expression; // expected` asserts the same of `name`;
 * - `expression; // throws Name` or `// throws Name: text`, the comment on the statement's last
 *   line or alone on the next, asserts that it throws or rejects with an error whose `name` is
 *   `Name` and whose message contains `text`; comment-only lines right after it continue `text`,
 *   joined with a space.
 * Other comments are prose, left alone, except one that looks like an assertion where none can be
 * made, which is a problem: a comment at the end of a line that states a value (one expression, as
 * above), starts with `=>` (write the value alone) or starts with `throws`, and a comment alone on
 * its line that reads `throws SomeName`, when no assertion above takes it (for instance
 * `const { a } = f(); // 2`, or `x; // 2` inside a block or a function).
 */
export function transformExample(code: string, whereLine: (index: number) => string, rewrite: (specifier: string) => string): ExampleCode {
  const syntax = syntaxErrors(code);
  if (syntax.length > 0) return { imports: [], importedNames: [], body: [], problems: syntax.map((error) => `${whereLine(error.line)}: ${error.message}`) };
  const source = ts.createSourceFile('example.ts', code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const lines = code.split('\n');
  const edits: { start: number; end: number; text: string }[] = [];
  const imports: Line[] = [];
  const importedNames: string[] = [];
  const problems: string[] = [];
  const replace = (node: ts.Node, end: number, text: string): void => {
    // Keep the line count, so that the body's lines stay the example's.
    const start = node.getStart(source);
    edits.push({ start, end, text: text + '\n'.repeat(code.slice(start, end).split('\n').length - text.split('\n').length) });
  };

  // The lines whose comment an assertion took (the comment's line and those continuing it).
  const taken = new Set<number>();

  for (const statement of source.statements) {
    const where = whereLine(source.getLineAndCharacterOfPosition(statement.getStart(source)).line);
    if (ts.isImportDeclaration(statement)) {
      for (const binding of importLines(statement, rewrite)) {
        imports.push({ text: binding.text, where });
        if (binding.name !== '') importedNames.push(binding.name);
      }
      replace(statement, statement.end, '');
      continue;
    }
    const stated = statedComment(source, lines, statement);
    if (!stated) continue;
    const at = whereLine(stated.line);
    const throws = THROWS.exec(stated.text);
    const expression = ts.isExpressionStatement(statement) ? statement.expression.getText(source) : undefined;
    if (throws && expression !== undefined) {
      const more = continuation(lines, stated.line + 1);
      const text = [throws[2] ?? '', ...more].join(' ').trim();
      for (let line = stated.line; line <= stated.line + more.length; line++) taken.add(line);
      replace(statement, stated.end, `await $throws(async () => (${expression}), ${JSON.stringify(throws[1])}, ${JSON.stringify(text)}, ${JSON.stringify(where)});`);
    } else if (/^throws\b/.test(stated.text)) {
      taken.add(stated.line);
      problems.push(`${at}: expected an expression statement followed by "// throws Name" or "// throws Name: text"`);
    } else if (stated.text.startsWith('=>')) {
      taken.add(stated.line);
      problems.push(`${at}: "// ${stated.text}": state a value as "// value", without "=>"`);
    } else if (isStatedValue(stated.text)) {
      taken.add(stated.line);
      const declared = declaredName(statement);
      if (expression !== undefined) replace(statement, stated.end, `$expect.soft(await (${expression}), ${JSON.stringify(where)}).toEqual(${stated.text});`);
      else if (declared !== undefined) replace(statement, stated.end, `${statement.getText(source)} $expect.soft(await ${declared}, ${JSON.stringify(where)}).toEqual(${stated.text});`);
      else problems.push(`${at}: "// ${stated.text}" states a value, but only an expression statement or a declaration of one plain name (const name = ...) can have one`);
    }
  }
  for (const comment of lineComments(source)) {
    if (taken.has(comment.line)) continue;
    const at = whereLine(comment.line);
    if (comment.trailing && comment.text.startsWith('=>')) {
      problems.push(`${at}: "// ${comment.text}": state a value as "// value", without "=>", after a statement at the top level of the example`);
    } else if ((comment.trailing && /^throws\b/.test(comment.text)) || THROWS_LINE.test(comment.text)) {
      problems.push(`${at}: "// ${comment.text}" is not an assertion: "// throws" follows an expression statement at the top level of the example`);
    } else if (comment.trailing && isStatedValue(comment.text)) {
      problems.push(`${at}: "// ${comment.text}" states a value, but only a statement at the top level of the example can have one (write it as prose if it is not an assertion)`);
    }
  }
  if (problems.length > 0) return { imports: [], importedNames: [], body: [], problems };
  let body = code;
  for (const edit of edits.reverse()) body = body.slice(0, edit.start) + edit.text + body.slice(edit.end);
  return { imports, importedNames, body: body.split('\n').map((text, index) => ({ text, where: whereLine(index) })), problems };
}

/**
 * The comment after a statement, on its last line: its text, where it ends, and its 0-based line;
 * or a `// throws` comment alone on the next line.
 */
function statedComment(source: ts.SourceFile, lines: readonly string[], statement: ts.Statement): { text: string; end: number; line: number } | undefined {
  const line = source.getLineAndCharacterOfPosition(statement.end).line;
  const comment = ts.getTrailingCommentRanges(source.text, statement.end)?.[0];
  if (comment?.kind === ts.SyntaxKind.SingleLineCommentTrivia && source.getLineAndCharacterOfPosition(comment.pos).line === line) {
    return { text: source.text.slice(comment.pos + 2, comment.end).trim(), end: comment.end, line };
  }
  const next = /^\s*\/\/\s*(throws\b.*)$/.exec(lines[line + 1] ?? '');
  return next ? { text: next[1]!.trim(), end: statement.end, line: line + 1 } : undefined;
}

/**
 * Every `//` comment of the code: its text, its 0-based line, and whether code precedes it on its
 * line (a trailing comment) or it stands alone.
 */
function lineComments(source: ts.SourceFile): { text: string; line: number; trailing: boolean }[] {
  const text = source.text;
  const starts = new Set<number>();
  const visit = (node: ts.Node): void => {
    for (const range of ts.getLeadingCommentRanges(text, node.pos) ?? []) if (range.kind === ts.SyntaxKind.SingleLineCommentTrivia) starts.add(range.pos);
    for (const range of ts.getTrailingCommentRanges(text, node.end) ?? []) if (range.kind === ts.SyntaxKind.SingleLineCommentTrivia) starts.add(range.pos);
    for (const child of node.getChildren(source)) visit(child);
  };
  visit(source);
  return [...starts].sort((a, b) => a - b).map((pos) => {
    const { line, character } = source.getLineAndCharacterOfPosition(pos);
    const end = text.indexOf('\n', pos);
    return {
      text: text.slice(pos + 2, end < 0 ? text.length : end).trim(),
      line,
      trailing: text.slice(pos - character, pos).trim() !== '',
    };
  });
}

/** The text of the comment-only lines from line `index` on. */
function continuation(lines: readonly string[], index: number): string[] {
  const texts: string[] = [];
  for (let line = lines[index]; line !== undefined && /^\s*\/\//.test(line); line = lines[++index]) texts.push(line.replace(/^\s*\/\//, '').trim());
  return texts;
}

/** Whether a comment's text is one expression, and not a lone word of prose. */
function isStatedValue(text: string): boolean {
  if (text === '' || syntaxErrors(`(${text}\n)`).length > 0) return false;
  const [statement, ...others] = ts.createSourceFile('value.ts', `(${text}\n)`, ts.ScriptTarget.ES2022).statements;
  if (!statement || others.length > 0 || !ts.isExpressionStatement(statement) || !ts.isParenthesizedExpression(statement.expression)) return false;
  let value = statement.expression.expression;
  while (ts.isParenthesizedExpression(value)) value = value.expression;
  const isComma = ts.isBinaryExpression(value) && value.operatorToken.kind === ts.SyntaxKind.CommaToken;
  return !isComma && (!ts.isIdentifier(value) || ['undefined', 'NaN', 'Infinity'].includes(value.text));
}

/** The variable a `const`/`let` statement declares, when it declares exactly one plain name. */
function declaredName(statement: ts.Statement): string | undefined {
  const [declaration, ...others] = ts.isVariableStatement(statement) ? statement.declarationList.declarations : [];
  return declaration && others.length === 0 && ts.isIdentifier(declaration.name) ? declaration.name.text : undefined;
}

/** An import declaration as one declaration per binding, so that equal bindings dedupe as text. */
function importLines(statement: ts.ImportDeclaration, rewrite: (specifier: string) => string): { text: string; name: string }[] {
  const from = `'${rewrite((statement.moduleSpecifier as ts.StringLiteral).text)}'`;
  const clause = statement.importClause;
  if (!clause) return [{ text: `import ${from};`, name: '' }];
  const type = clause.isTypeOnly ? 'type ' : '';
  const lines = clause.name ? [{ text: `import ${type}${clause.name.text} from ${from};`, name: clause.name.text }] : [];
  const bindings = clause.namedBindings;
  if (bindings && ts.isNamespaceImport(bindings)) lines.push({ text: `import ${type}* as ${bindings.name.text} from ${from};`, name: bindings.name.text });
  for (const element of bindings && ts.isNamedImports(bindings) ? bindings.elements : []) {
    const imported = element.propertyName ? `${element.propertyName.getText()} as ` : '';
    lines.push({ text: `import { ${type || (element.isTypeOnly ? 'type ' : '')}${imported}${element.name.text} } from ${from};`, name: element.name.text });
  }
  return lines;
}

/** The syntax errors of a piece of TypeScript, with their 0-based lines. */
function syntaxErrors(code: string): { line: number; message: string }[] {
  const { diagnostics = [] } = ts.transpileModule(code, { reportDiagnostics: true, compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } });
  return diagnostics.map((diagnostic) => ({
    line: diagnostic.file && diagnostic.start !== undefined ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line : 0,
    message: ts.flattenDiagnosticMessageText(diagnostic.messageText, ' '),
  }));
}
