import type { LossInput } from '@rewardkit/core';

/**
 * From the shard's rankings (host arrays, no device sync): the pairs with a strict preference
 * and the units holding at least one. A loss that ignores tied pairs divides by these, so a
 * tie-only record neither adds loss nor dilutes the others.
 */
export function strictCounts({ offsets, ranks }: LossInput['rankings']): { pairs: number; units: number } {
  let pairs = 0;
  let units = 0;
  for (let u = 0; u + 1 < offsets.length; u++) {
    const k = offsets[u + 1] - offsets[u];
    const sameRank = new Map<number, number>();
    for (let i = offsets[u]; i < offsets[u + 1]; i++) sameRank.set(ranks[i], (sameRank.get(ranks[i]) ?? 0) + 1);
    let strict = (k * (k - 1)) / 2;
    for (const c of sameRank.values()) strict -= (c * (c - 1)) / 2;
    pairs += strict;
    if (strict > 0) units++;
  }
  return { pairs, units };
}
