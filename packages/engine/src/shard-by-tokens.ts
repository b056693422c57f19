import { pairLength, type EncodedPair } from '@rewardkit/core';

/**
 * Splits a global batch into `n` shards of about equal token count (longest pair first onto
 * the lightest shard), so no worker waits long for another. Deterministic; keeps each shard's
 * pairs in their batch order. A shard may be empty when the batch has fewer pairs than workers.
 */
export function shardByTokens(pairs: readonly EncodedPair[], n: number): EncodedPair[][] {
  const load = new Array<number>(n).fill(0);
  const assigned: number[][] = Array.from({ length: n }, () => []);
  const order = pairs.map((_, i) => i).sort((a, b) => pairLength(pairs[b]) - pairLength(pairs[a]) || a - b);
  for (const i of order) {
    let best = 0;
    for (let s = 1; s < n; s++) if (load[s] < load[best]) best = s;
    assigned[best].push(i);
    load[best] += pairLength(pairs[i]);
  }
  return assigned.map((idx) => idx.sort((a, b) => a - b).map((i) => pairs[i]));
}
