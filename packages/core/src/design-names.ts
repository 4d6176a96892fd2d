import type { CovariateTerm } from './design.js';

/**
 * The covariate columns a list of terms implies, and the naming rules that keep them unique: what
 * {@link codeDesign} and {@link declareDesign} refuse and what a stored coding is checked against.
 */

/**
 * The design's covariate columns, in term order: `<name>:<level>` per categorical level but the
 * first, the name of each continuous term, `<name>:ns1` ... `<name>:ns<K+1>` of a spline.
 */
export function listDesignColumns(terms: readonly CovariateTerm[]): string[] {
  return listColumnSources(terms).map(([column]) => column);
}

/** How many columns a term gives: levels - 1, 1 for a continuous covariate, knots + 1 for a spline. */
export function countColumns(term: CovariateTerm): number {
  return term.kind === 'categorical' ? term.levels.length - 1 : term.kind === 'continuous' ? 1 : term.knots.length + 1;
}

/**
 * The first naming problem of a list of terms, or null when there is none: an empty name, a name
 * given twice (in one role or in two), or two terms that give the same column (a continuous `sex:M`
 * beside a categorical `sex` with level `M`). The text names both sources.
 */
export function findNamingProblem(terms: readonly CovariateTerm[]): string | null {
  const roles = new Map<string, string>();
  for (const { name, kind } of terms) {
    if (name === '') return `a ${kind} covariate has an empty name; expected a non-empty name`;
    const earlier = roles.get(name);
    if (earlier !== undefined) {
      return earlier === kind
        ? `${JSON.stringify(name)} is named twice as a ${kind} covariate; expected each covariate once`
        : `${JSON.stringify(name)} is both a ${earlier} and a ${kind} covariate; expected one role per covariate`;
    }
    roles.set(name, kind);
  }
  const seen = new Map<string, string>();
  for (const [column, source] of listColumnSources(terms)) {
    const earlier = seen.get(column);
    if (earlier !== undefined) return `design column ${JSON.stringify(column)} would come from ${earlier} and from ${source}; rename one of them`;
    seen.set(column, source);
  }
  return null;
}

/** Each column with the term it comes from, for messages. */
function listColumnSources(terms: readonly CovariateTerm[]): [string, string][] {
  return terms.flatMap((term): [string, string][] => {
    if (term.kind === 'categorical') return term.levels.slice(1).map((level) => [`${term.name}:${level}`, `level ${JSON.stringify(level)} of categorical covariate ${JSON.stringify(term.name)}`]);
    if (term.kind === 'continuous') return [[term.name, `continuous covariate ${JSON.stringify(term.name)}`]];
    return Array.from({ length: term.knots.length + 1 }, (_, k): [string, string] => [`${term.name}:ns${k + 1}`, `spline column ${k + 1} of continuous covariate ${JSON.stringify(term.name)}`]);
  });
}
