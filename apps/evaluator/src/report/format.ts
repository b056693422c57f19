/** How the report writes numbers, shared by its tables and chart labels. */
import type { Bucket } from './report-figures';

/** A share as a percentage with one decimal: 0.6270 -> "62.7%". */
export const percent = (x: number): string => `${(100 * x).toFixed(1)}%`;

/** A plain figure: integers as is, others with 4 significant digits. */
export function figure(x: number): string {
  if (Number.isInteger(x)) return x.toLocaleString('en-US');
  return Math.abs(x) >= 1e4 || (Math.abs(x) < 1e-3 && x !== 0) ? x.toExponential(2) : Number(x.toPrecision(4)).toString();
}

/** A bucket edge, short: integers exact without separators (a comma would read as the pair's), others to 3 digits; null is unbounded (JSON has no Infinity). */
function edge(x: number | null, side: 'lo' | 'hi'): string {
  if (x === null) return side === 'lo' ? '−∞' : '∞';
  return Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(3)));
}

/** "[lo, hi)" with open ends shown as infinities. */
export const bucketLabel = (b: Pick<Bucket, 'lo' | 'hi'>): string => `[${edge(b.lo, 'lo')}, ${edge(b.hi, 'hi')})`;

/** Text for HTML: &, <, >, " escaped. */
export const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
