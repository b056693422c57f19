import type { PreferencePair } from '@rewardkit/core';
import { describeEvalContract } from '@rewardkit/testing';
import { evaluateRewardStats, rewardStats, RewardStatsConfigSchema } from './reward-stats.plugin';

describeEvalContract(rewardStats);

const pairs = (n: number, ties: number[] = []): PreferencePair[] =>
  Array.from({ length: n }, (_, i) => ({ id: `p${i}`, prompt: '', chosen: 'a', rejected: 'b', ...(ties.includes(i) ? { tie: true } : {}) }));

describe('reward statistics', () => {
  const cfg = RewardStatsConfigSchema.parse({ marginBuckets: 2 });

  it('gives the mean and population std of every reward, and the mean margin', () => {
    // rewards 2,1 | 1,1 | 0,3 | 5,1: mean 14/8 = 1.75; squared deviations 0.0625 + 4 x 0.5625 + 3.0625 + 1.5625 + 10.5625 = 17.5
    const r = evaluateRewardStats(cfg, { chosen: Float64Array.from([2, 1, 0, 5]), rejected: Float64Array.from([1, 1, 3, 1]), pairs: pairs(4) });
    expect(r.reward_mean).toBeCloseTo(1.75, 12);
    expect(r.reward_std).toBeCloseTo(Math.sqrt(17.5 / 8), 12);
    expect(r.margin_mean).toBeCloseTo((1 + 0 - 3 + 4) / 4, 12);
    expect(r.chosen_mean).toBeCloseTo(2, 12);
    expect(r.rejected_mean).toBeCloseTo(1.5, 12);
  });

  it('keeps its precision far from zero (no sum-of-squares cancellation)', () => {
    const r = evaluateRewardStats(cfg, { chosen: Float64Array.from([1e9 + 1]), rejected: Float64Array.from([1e9 - 1]), pairs: pairs(1) });
    expect(r.reward_std).toBe(1);
  });

  it('buckets accuracy by |margin|: confident pairs apart from unsure ones', () => {
    // |margins| 0.1, 0.2 (one right, one wrong) and 3, 4 (both right); edges at quantiles 0.1, 0.2, 4
    const r = evaluateRewardStats(cfg, { chosen: Float64Array.from([0.1, 0, 3, 4]), rejected: Float64Array.from([0, 0.2, 0, 0]), pairs: pairs(4) });
    expect(r.margin_buckets).toEqual([
      { lo: 0.1, hi: 0.2, n: 1, accuracy: 1 },
      { lo: 0.2, hi: 4, n: 3, accuracy: 2 / 3 },
    ]);
  });

  it('counts data ties in the reward statistics but not in margins', () => {
    const r = evaluateRewardStats(cfg, { chosen: Float64Array.from([1, 9]), rejected: Float64Array.from([0, 0]), pairs: pairs(2, [1]) });
    expect(r.reward_mean).toBe(2.5);
    expect(r.margin_mean).toBe(1);
    expect(r.margin_buckets).toEqual([{ lo: 1, hi: 1, n: 1, accuracy: 1 }]);
  });
});
