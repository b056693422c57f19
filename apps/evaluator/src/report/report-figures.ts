/**
 * The figures a report draws, read leniently from an evaluator report: evaluators are plugins and
 * may be turned off, so any figure may be missing, and a malformed entry is left out rather than
 * failing the whole report (report.json still carries it as given).
 */

/** Accuracy of the pairs whose value falls in [lo, hi). */
export interface Bucket {
  readonly lo: number | null;
  readonly hi: number | null;
  readonly n: number;
  readonly accuracy: number;
}

/** One row of the reliability table: mean predicted probability against observed accuracy. */
export interface ReliabilityBin extends Bucket {
  readonly confidence: number;
}

export interface Subset {
  readonly name: string;
  readonly n: number;
  readonly accuracy: number;
}

export interface Section extends Subset {
  readonly ci?: readonly [number, number];
  readonly subsets: readonly Subset[];
}

export type Figures = Readonly<Record<string, unknown>>;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
// JSON has no Infinity: an open-ended bucket edge arrives as null (or as a string from some writers)
const edge = (v: unknown): number | null => (isNum(v) ? v : null);

/** A finite number, or undefined. */
export function numberOf(figures: Figures, key: string): number | undefined {
  const v = figures[key];
  return isNum(v) ? v : undefined;
}

/** A [lo, hi] interval of finite numbers, or undefined. */
export function intervalOf(v: unknown): readonly [number, number] | undefined {
  return Array.isArray(v) && v.length === 2 && isNum(v[0]) && isNum(v[1]) ? [v[0], v[1]] : undefined;
}

function bucketOf(v: unknown): Bucket | undefined {
  if (!isObject(v) || !isNum(v.n) || !isNum(v.accuracy)) return undefined;
  return { lo: edge(v.lo), hi: edge(v.hi), n: v.n, accuracy: v.accuracy };
}

/** The well-formed buckets of `figures[key]` (empty when absent). */
export function bucketsOf(figures: Figures, key: string): Bucket[] {
  const v = figures[key];
  return Array.isArray(v) ? v.map(bucketOf).filter((b): b is Bucket => b !== undefined) : [];
}

export function reliabilityOf(figures: Figures): ReliabilityBin[] {
  const v = figures.reliability;
  if (!Array.isArray(v)) return [];
  return v.flatMap((row: unknown) => {
    const b = bucketOf(row);
    const confidence = isObject(row) ? row.confidence : undefined;
    return b && isNum(confidence) ? [{ ...b, confidence }] : [];
  });
}

function subsetOf(v: unknown): Subset | undefined {
  if (!isObject(v) || typeof v.name !== 'string' || !isNum(v.n) || !isNum(v.accuracy)) return undefined;
  return { name: v.name, n: v.n, accuracy: v.accuracy };
}

export function sectionsOf(figures: Figures): Section[] {
  const v = figures.sections;
  if (!Array.isArray(v)) return [];
  return v.flatMap((row: unknown) => {
    const s = subsetOf(row);
    if (!s || !isObject(row)) return [];
    const subsets = Array.isArray(row.subsets) ? row.subsets.map(subsetOf).filter((x): x is Subset => x !== undefined) : [];
    return [{ ...s, ci: intervalOf(row.ci), subsets }];
  });
}

/** The health checks as [name, value] rows, nested values shown as JSON. */
export function healthOf(figures: Figures): [string, string | number][] {
  const v = figures.health;
  if (!isObject(v)) return [];
  // null: the check needs something this run did not give (training data, token counts)
  return Object.entries(v).map(([k, x]) => [k, x === null ? 'not checked' : typeof x === 'number' || typeof x === 'string' ? x : JSON.stringify(x)]);
}
