import { pairLength, type EncodedUnit } from '@rewardkit/core';

/**
 * Splits a global batch into `n` shards of about equal token count (longest unit first onto
 * the lightest shard), so no worker waits long for another. A unit (a pair, or a ranking's K
 * responses) is indivisible: it lands whole on one shard. Deterministic; keeps each shard's
 * units in their batch order. A shard may be empty when the batch has fewer units than workers.
 */
export function shardByTokens<U extends EncodedUnit>(pairs: readonly U[], n: number): U[][] {
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
