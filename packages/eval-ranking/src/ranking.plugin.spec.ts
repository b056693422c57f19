import { rankingPairs, type PreferencePair, type PreferenceRanking } from '@rewardkit/core';
import { describeEvalContract } from '@rewardkit/testing';
import { evaluateRanking, ranking, RankingConfigSchema } from './ranking.plugin';

describeEvalContract(ranking);
describeEvalContract(ranking, { tieThreshold: 0.1 });

/** Textbook tau-b from two score lists (x: true quality, higher better; y: rewards). */
function tauB(x: number[], y: number[]): number {
  let [c, d, tx, ty, n0] = [0, 0, 0, 0, 0];
  for (let i = 0; i < x.length; i++) {
    for (let j = i + 1; j < x.length; j++) {
      n0++;
      const [dx, dy] = [Math.sign(x[i] - x[j]), Math.sign(y[i] - y[j])];
      if (dx === 0) tx++;
      if (dy === 0) ty++;
      if (dx && dy) dx === dy ? c++ : d++;
    }
  }
  return (c - d) / Math.sqrt((n0 - tx) * (n0 - ty));
}

/** A ranking's pairs and their rewards, as the evaluator receives them. */
function scored(id: string, ranks: number[], rewards: number[]) {
  const r: PreferenceRanking = { id, prompt: 'q', responses: ranks.map((_, i) => `r${i}`), ranking: ranks };
  const pairs = rankingPairs(r);
  const at = (text: unknown) => rewards[Number(String(text).slice(1))];
  return { pairs, chosen: pairs.map((p) => at(p.chosen)), rejected: pairs.map((p) => at(p.rejected)) };
}

function merge(...sets: ReturnType<typeof scored>[]) {
  return {
    pairs: sets.flatMap((s) => s.pairs) as PreferencePair[],
    chosen: Float64Array.from(sets.flatMap((s) => s.chosen)),
    rejected: Float64Array.from(sets.flatMap((s) => s.rejected)),
  };
}

describe('ranking evaluator', () => {
  const a = scored('a', [0, 1, 2, 3], [3, 1, 2, 0]); // one swap
  const b = scored('b', [0, 1, 1, 2], [1, 0.5, 0.55, -1]); // a tie the model nearly reproduces
  const c = scored('c', [2, 1, 0], [2, 2, 0]); // reversed, with a model tie

  it("averages Kendall's tau-b per ranking, matching the textbook formula on the responses", () => {
    const r = evaluateRanking(RankingConfigSchema.parse({}), merge(a, b, c));
    const want = [tauB([3, 2, 1, 0], [3, 1, 2, 0]), tauB([2, 1, 1, 0], [1, 0.5, 0.55, -1]), tauB([0, 1, 2], [2, 2, 0])];
    expect(r.rankings).toBe(3);
    expect(r.kendall_tau).toBeCloseTo(want.reduce((s, t) => s + t, 0) / 3, 12);
  });

  it('counts every strict pair of the rankings for pair_accuracy, equal rewards half', () => {
    const r = evaluateRanking(RankingConfigSchema.parse({}), merge(a, c));
    // a: 6 pairs, 5 right; c: 3 pairs: 0 vs 1 (2=2 -> 0.5), 0 vs 2 wrong, 1 vs 2 wrong
    expect(r).toMatchObject({ strict_pairs: 9, pair_accuracy: (5 + 0.5) / 9, data_ties: 0 });
  });

  it('tie-aware accuracy: a tie is right within the threshold, a strict pair only beyond it', () => {
    const r = evaluateRanking({ tieThreshold: 0.1 }, merge(b));
    // b's pairs: (0,1) 0.5 ok, (0,2) 0.45 ok, (0,3) 2 ok, tie (1,2) |0.05| ok, (1,3) 1.5 ok, (2,3) 1.55 ok
    expect(r).toMatchObject({ tie_aware_accuracy: 1, tie_accuracy: 1, data_ties: 1, tie_threshold: 0.1 });
    const wide = evaluateRanking({ tieThreshold: 0.48 }, merge(b));
    expect(wide.tie_aware_accuracy).toBeCloseTo(5 / 6, 12); // (0,2) 0.45 is now a model tie
    const narrow = evaluateRanking({ tieThreshold: 0.01 }, merge(b));
    expect(narrow.tie_accuracy).toBe(0);
  });

  it("the automatic threshold follows the reward scale", () => {
    const small = evaluateRanking(RankingConfigSchema.parse({}), merge(b));
    const big = merge(b);
    const scaled = { ...big, chosen: big.chosen.map((x) => 10 * x), rejected: big.rejected.map((x) => 10 * x) };
    const r = evaluateRanking(RankingConfigSchema.parse({}), scaled);
    expect(r.tie_threshold as number).toBeCloseTo(10 * (small.tie_threshold as number), 10);
    expect(r.tie_aware_accuracy).toBe(small.tie_aware_accuracy);
  });
});
