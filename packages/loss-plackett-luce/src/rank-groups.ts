/**
 * The host-side structure of a Plackett-Luce likelihood: each unit's responses grouped by rank,
 * best group first. Group g of a unit places its d_g tied responses D_g out of the risk set R_g
 * (the responses not placed yet: D_g and every worse group). As dense [G, m] masks over the
 * shard's m responses, so the device computes every group's log-sum-exp in one op.
 */
export interface RankGroups {
  /** Number of groups over all units. */
  readonly groups: number;
  /** [G, m] 1 where response j is in group g (the numerator). */
  readonly members: Float32Array;
  /** [G, m] 1 where response j is still unplaced when group g is placed (the denominator). */
  readonly risk: Float32Array;
  /** [G] the group's size d_g (Breslow: the denominator counts d_g times). */
  readonly sizes: Float32Array;
}

export function rankGroups(offsets: Int32Array, ranks: Int32Array): RankGroups {
  const m = ranks.length;
  const spec: { lo: number; hi: number; rank: number }[] = [];
  for (let u = 0; u + 1 < offsets.length; u++) {
    const [lo, hi] = [offsets[u], offsets[u + 1]];
    const distinct = [...new Set(ranks.subarray(lo, hi))].sort((a, b) => a - b);
    // a worst group of one response adds exactly 0 (it is certain); a tied worst group keeps its
    // Breslow term, which asks its members to be equal
    for (const rank of distinct) spec.push({ lo, hi, rank });
  }
  const G = spec.length;
  const members = new Float32Array(G * m);
  const risk = new Float32Array(G * m);
  const sizes = new Float32Array(G);
  spec.forEach(({ lo, hi, rank }, g) => {
    for (let j = lo; j < hi; j++) {
      if (ranks[j] === rank) {
        members[g * m + j] = 1;
        sizes[g]++;
      }
      if (ranks[j] >= rank) risk[g * m + j] = 1;
    }
  });
  return { groups: G, members, risk, sizes };
}
