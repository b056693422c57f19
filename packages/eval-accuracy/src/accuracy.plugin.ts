import type { EvalPlugin, EvalReport, PairScores } from '@rewardkit/core';
import { bootstrapMeanCi, BootstrapConfigSchema, decidedPairs, pairOutcome } from '@rewardkit/eval-math';
import { z } from 'zod';

export const AccuracyConfigSchema = z
  .object({
    /** Rewards closer than this count as a tie (half a correct answer). */
    tieTolerance: z.number().min(0).default(0),
    /** The confidence interval: seeded percentile bootstrap over the pairs. */
    bootstrap: BootstrapConfigSchema,
  })
  .strict();
export type AccuracyConfig = z.infer<typeof AccuracyConfigSchema>;

/**
 * Reward accuracy: the share of pairs with r(chosen) > r(rejected), a model tie (|r_w - r_l| <=
 * tieTolerance) counting 0.5, with a bootstrap confidence interval. Pairs the data marks as ties
 * have no winner and are left out (`data_ties` counts them).
 */
export function evaluateAccuracy(cfg: AccuracyConfig, scores: PairScores): EvalReport {
  const idx = decidedPairs(scores);
  const n = idx.length;
  const outcomes = new Float64Array(n);
  let ties = 0;
  let correct = 0;
  idx.forEach((i, k) => {
    outcomes[k] = pairOutcome(scores.chosen[i], scores.rejected[i], cfg.tieTolerance);
    if (outcomes[k] === 0.5) ties++;
    correct += outcomes[k];
  });
  return {
    accuracy: n ? correct / n : 0,
    accuracy_ci: bootstrapMeanCi(outcomes, cfg.bootstrap),
    ties,
    tie_rate: n ? ties / n : 0,
    n,
    data_ties: scores.chosen.length - n,
  };
}

export const accuracy: EvalPlugin<AccuracyConfig> = {
  kind: 'eval',
  name: 'accuracy',
  description: 'reward accuracy (model ties count 0.5) with a seeded bootstrap confidence interval and the tie rate',
  configSchema: AccuracyConfigSchema,
  create: (cfg) => ({ evaluate: (scores) => evaluateAccuracy(cfg, scores) }),
};
