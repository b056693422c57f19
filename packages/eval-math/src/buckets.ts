/** One bucket of a key (a margin, a length difference): its range, how many pairs fell in it, their accuracy. */
export interface Bucket {
  readonly lo: number;
  readonly hi: number;
  readonly n: number;
  readonly accuracy: number;
}

/**
 * Bucket edges at the quantiles of `values` (about equally many pairs per bucket, whatever the
 * scale of the key), duplicates merged: from min to max, at most `buckets + 1` edges.
 */
export function quantileEdges(values: ArrayLike<number>, buckets: number): number[] {
  const sorted = Float64Array.from(values).sort();
  if (sorted.length === 0) return [];
  const edges: number[] = [];
  for (let j = 0; j <= buckets; j++) {
    const v = sorted[Math.floor((j * (sorted.length - 1)) / buckets)];
    if (edges.length === 0 || v > edges[edges.length - 1]) edges.push(v);
  }
  return edges;
}

/**
 * Accuracy (mean outcome) per bucket of `keys`: bucket i holds lo <= key < hi, the last one also
 * key == hi. With fixed `edges` keys outside them are left out; empty buckets are not reported.
 */
export function bucketAccuracy(keys: ArrayLike<number>, outcomes: ArrayLike<number>, edges: readonly number[]): Bucket[] {
  if (edges.length === 0) return [];
  const ranges = edges.length === 1 ? [[edges[0], edges[0]]] : edges.slice(1).map((hi, i) => [edges[i], hi]);
  const n = new Array<number>(ranges.length).fill(0);
  const sum = new Array<number>(ranges.length).fill(0);
  const last = ranges.length - 1;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    if (!(k >= ranges[0][0] && k <= ranges[last][1])) continue;
    let b = 0;
    while (b < last && k >= ranges[b + 1][0]) b++;
    n[b]++;
    sum[b] += outcomes[i];
  }
  return ranges.flatMap(([lo, hi], b) => (n[b] ? [{ lo, hi, n: n[b], accuracy: sum[b] / n[b] }] : []));
}
