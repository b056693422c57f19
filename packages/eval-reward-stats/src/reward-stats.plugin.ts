import type { EvalPlugin, EvalReport, PairScores } from '@rewardkit/core';
import { bucketAccuracy, decidedPairs, pairOutcome, quantileEdges } from '@rewardkit/eval-math';
import { z } from 'zod';

export const RewardStatsConfigSchema = z
  .object({
    /** Buckets of |r_w - r_l| (edges at quantiles: about equally many pairs in each). */
    marginBuckets: z.number().int().min(1).default(5),
  })
  .strict();
export type RewardStatsConfig = z.infer<typeof RewardStatsConfigSchema>;

/**
 * Reward statistics (float64): `reward_mean`/`reward_std` over every scored response, data ties
 * included (they are what the trainer saves with the export and the scorer's --normalize divides
 * by); the mean margin r_w - r_l and accuracy by bucket of |margin| over pairs with a winner (does
 * the model's confidence mean anything: wider margins should be right more often).
 */
export function evaluateRewardStats(cfg: RewardStatsConfig, scores: PairScores): EvalReport {
  const { chosen, rejected } = scores;
  const all = chosen.length;
  let sum = 0;
  let chosenSum = 0;
  for (let i = 0; i < all; i++) {
    sum += chosen[i] + rejected[i];
    chosenSum += chosen[i];
  }
  const mean = all ? sum / (2 * all) : 0;
  let sq = 0; // two-pass: no cancellation when rewards sit far from zero
  for (let i = 0; i < all; i++) sq += (chosen[i] - mean) ** 2 + (rejected[i] - mean) ** 2;

  const idx = decidedPairs(scores);
  const size = new Float64Array(idx.length);
  const outcomes = new Float64Array(idx.length);
  let marginSum = 0;
  idx.forEach((i, k) => {
    const m = chosen[i] - rejected[i];
    marginSum += m;
    size[k] = Math.abs(m);
    outcomes[k] = pairOutcome(chosen[i], rejected[i]);
  });
  return {
    reward_mean: mean,
    reward_std: all ? Math.sqrt(sq / (2 * all)) : 0,
    chosen_mean: all ? chosenSum / all : 0,
    rejected_mean: all ? (sum - chosenSum) / all : 0,
    margin_mean: idx.length ? marginSum / idx.length : 0,
    margin_buckets: bucketAccuracy(size, outcomes, quantileEdges(size, cfg.marginBuckets)),
  };
}

export const rewardStats: EvalPlugin<RewardStatsConfig> = {
  kind: 'eval',
  name: 'reward-stats',
  description: 'reward mean/std (saved with the export for the scorer\'s --normalize), mean margin, accuracy by margin bucket',
  configSchema: RewardStatsConfigSchema,
  create: (cfg) => ({ evaluate: (scores) => evaluateRewardStats(cfg, scores) }),
};
