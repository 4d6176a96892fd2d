/**
 * What a test across batches gives for one feature: an F statistic with its two degrees of
 * freedom (ANOVA, Levene), or a chi-squared statistic with one (Kruskal-Wallis, Bartlett,
 * Fligner-Killeen), and the upper-tail p-value.
 */

/**
 * An F test across batches: `statistic` is F with `df1` (batches - 1) and `df2` (values -
 * batches) degrees of freedom; `p` is P(F > statistic).
 *
 * @example
 * ```ts
 * const result: FTest = anova(thickness, batch);
 * [result.df1, result.df2]; // [1, 6]
 * ```
 */
export interface FTest {
  readonly statistic: number;
  readonly df1: number;
  readonly df2: number;
  readonly p: number;
}

/**
 * A test whose statistic is compared with a chi-squared distribution of `df` (batches - 1)
 * degrees of freedom; `p` is P(X > statistic).
 *
 * @example
 * ```ts
 * const result: ChiSquareTest = kruskalWallis(thickness, batch);
 * result.df; // 1
 * ```
 */
export interface ChiSquareTest {
  readonly statistic: number;
  readonly df: number;
  readonly p: number;
}
