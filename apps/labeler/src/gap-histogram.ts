/** A text histogram of reward gaps for the summary: `bins` equal-width bins from 0 to the largest gap. */
export function gapHistogram(gaps: readonly number[], bins = 8, width = 40): string[] {
  if (!gaps.length) return ['  (no pairs)'];
  const top = Math.max(...gaps);
  const step = top > 0 ? top / bins : 1;
  const counts = new Array<number>(bins).fill(0);
  for (const g of gaps) counts[Math.min(bins - 1, Math.floor(g / step))]++;
  const most = Math.max(...counts);
  return counts.map((c, b) => {
    const range = `[${(b * step).toFixed(3)}, ${((b + 1) * step).toFixed(3)}${b === bins - 1 ? ']' : ')'}`;
    return `  ${range.padEnd(20)} ${String(c).padStart(6)} ${'#'.repeat(Math.round((c / most) * width))}`;
  });
}
