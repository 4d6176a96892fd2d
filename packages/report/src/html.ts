/** Text and numbers as the report's HTML shows them. */

/** Text made safe for HTML content and attribute values. */
export function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** A share as a percentage (one decimal below 10%); an em dash for a missing value. */
export function percent(share: number | null): string {
  if (share === null) return '\u2014';
  const value = share * 100;
  return `${value !== 0 && value < 10 ? value.toFixed(1) : value.toFixed(0)}%`;
}

/**
 * A p-value: two significant digits, in exponent form below 0.001; an em dash for a missing one. A
 * p of 0 is one too small for a double (or for 1 - cdf), so "< 1e-15".
 */
export function pValue(p: number | null): string {
  if (p === null) return '\u2014';
  if (p === 0) return '< 1e-15';
  return p < 1e-3 ? p.toExponential(1) : p.toPrecision(2);
}

/** A statistic or estimate to three significant digits; an em dash for a missing one. */
export function figure(value: number | null): string {
  if (value === null) return '\u2014';
  return Math.abs(value) >= 1e5 || (value !== 0 && Math.abs(value) < 1e-3) ? value.toExponential(2) : Number(value.toPrecision(3)).toString();
}
