/**
 * The design column names a coding implies, and the naming rules that keep them unique: what
 * {@link codeDesign} refuses and what a deserialized model's coding is checked against.
 */

/**
 * The design columns, in order: `batch:<level>` per batch, `<name>:<level>` per categorical level
 * but the first, then each continuous name.
 */
export function listDesignColumns(
  batches: readonly string[],
  categorical: readonly { readonly name: string; readonly levels: readonly string[] }[],
  continuous: readonly string[],
): string[] {
  return listColumnSources(batches, categorical, continuous).map(([column]) => column);
}

/**
 * The first naming problem of a coding, or null when there is none: an empty covariate name, a
 * name used as both categorical and continuous or twice in one role, or two sources that give the
 * same design column (e.g. a categorical `batch` with a level equal to a batch label, a continuous
 * `sex:M` beside a categorical `sex` with level `M`). The text names both sources.
 */
export function findNamingProblem(
  batches: readonly string[],
  categorical: readonly { readonly name: string; readonly levels: readonly string[] }[],
  continuous: readonly string[],
): string | null {
  const roles = new Map<string, string>();
  for (const [name, role] of [...categorical.map((c) => [c.name, 'categorical'] as const), ...continuous.map((n) => [n, 'continuous'] as const)]) {
    if (name === '') return `a ${role} covariate has an empty name; expected a non-empty name`;
    const earlier = roles.get(name);
    if (earlier !== undefined) {
      return earlier === role
        ? `${JSON.stringify(name)} is named twice as a ${role} covariate; expected each covariate once`
        : `${JSON.stringify(name)} is both a categorical and a continuous covariate; expected one role per covariate`;
    }
    roles.set(name, role);
  }
  const seen = new Map<string, string>();
  for (const [column, source] of listColumnSources(batches, categorical, continuous)) {
    const earlier = seen.get(column);
    if (earlier !== undefined) return `design column ${JSON.stringify(column)} would come from ${earlier} and from ${source}; rename one of them`;
    seen.set(column, source);
  }
  return null;
}

/** Each design column with where it comes from, for messages. */
function listColumnSources(
  batches: readonly string[],
  categorical: readonly { readonly name: string; readonly levels: readonly string[] }[],
  continuous: readonly string[],
): [string, string][] {
  return [
    ...batches.map((b): [string, string] => [`batch:${b}`, `batch ${JSON.stringify(b)}`]),
    ...categorical.flatMap((c) =>
      c.levels.slice(1).map((level): [string, string] => [`${c.name}:${level}`, `level ${JSON.stringify(level)} of categorical covariate ${JSON.stringify(c.name)}`]),
    ),
    ...continuous.map((name): [string, string] => [name, `continuous covariate ${JSON.stringify(name)}`]),
  ];
}
