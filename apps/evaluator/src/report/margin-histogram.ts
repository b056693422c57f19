/** Per-pair margins r_w - r_l as histogram bins whose edges include 0, so each bin is one colour. */

export interface MarginBin {
  readonly lo: number;
  readonly hi: number;
  readonly n: number;
}

/** 1, 2 or 5 times a power of ten, at least `x`. */
function niceStep(x: number): number {
  const p = 10 ** Math.floor(Math.log10(x));
  return [1, 2, 5, 10].map((m) => m * p).find((s) => s >= x * (1 - 1e-12)) ?? 10 * p;
}

/** About `target` bins of a nice width over the margins' range; [] for no finite margins. */
export function marginHistogram(margins: readonly number[], target = 30): MarginBin[] {
  const finite = margins.filter(Number.isFinite);
  if (finite.length === 0) return [];
  let min = Infinity;
  let max = -Infinity;
  for (const m of finite) {
    min = Math.min(min, m);
    max = Math.max(max, m);
  }
  const width = niceStep(Math.max(max - min, 1e-9) / target);
  // integer bin indices keep 0 an exact edge (bin k holds [k*width, (k+1)*width))
  const first = Math.floor(min / width);
  const counts = new Array<number>(Math.floor(max / width) - first + 1).fill(0);
  for (const m of finite) counts[Math.floor(m / width) - first]++;
  return counts.map((n, i) => ({ lo: (first + i) * width, hi: (first + i + 1) * width, n }));
}
