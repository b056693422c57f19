/** Arrays of at most this many numbers are intervals or pairs (`accuracy_ci: [low, high]`), kept; longer ones are tables. */
const SHORT_ARRAY = 4;

/**
 * The numbers of an evaluation report as flat `a.b.c` keys, for metrics.jsonl (one JSON object
 * per line, which plotting tools read column by column). Nested objects are walked
 * (`by_category.helpful.accuracy`); a short array of numbers, such as a confidence interval,
 * gives one key per entry (`accuracy_ci.0`, `accuracy_ci.1`). Other arrays are skipped: they are
 * tables (reliability buckets, histograms) whose length varies with the data, and a column per
 * bucket would make metrics.jsonl unreadable. Tables and strings stay in the full report
 * (final/eval-report.json).
 */
export function flattenFigures(report: Readonly<Record<string, unknown>>, prefix = ''): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(report)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'number') out[name] = value;
    else if (Array.isArray(value)) {
      if (value.length <= SHORT_ARRAY && value.every((v) => typeof v === 'number')) value.forEach((v: number, i) => (out[`${name}.${i}`] = v));
    } else if (typeof value === 'object' && value !== null) Object.assign(out, flattenFigures(value as Record<string, unknown>, name));
  }
  return out;
}

/** The top-level numbers only (a one-line summary, the model card). */
export function topLevelFigures(figures: Readonly<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(Object.entries(figures).filter(([k]) => !k.includes('.')));
}
