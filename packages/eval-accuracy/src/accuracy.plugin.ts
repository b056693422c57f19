import type { EvalPlugin, EvalReport, PairScores } from '@rewardkit/core';
import { z } from 'zod';

export const AccuracyConfigSchema = z
  .object({
    /** Rewards closer than this count as a tie (half a correct answer). */
    tieTolerance: z.number().min(0).default(0),
    /** Also report accuracy per `category` when the data has more than one. */
    perCategory: z.boolean().default(true),
  })
  .strict();
export type AccuracyConfig = z.infer<typeof AccuracyConfigSchema>;

/**
 * Reward accuracy: the share of pairs with r(chosen) > r(rejected), a tie counting 0.5;
 * plus the mean margin and reward statistics (float64 throughout).
 */
export function evaluateAccuracy(cfg: AccuracyConfig, { chosen, rejected, pairs }: PairScores): EvalReport {
  const n = chosen.length;
  let correct = 0;
  let ties = 0;
  let marginSum = 0;
  let sum = 0;
  let sumSq = 0;
  let chosenSum = 0;
  const byCategory = new Map<string, { n: number; correct: number }>();
  for (let i = 0; i < n; i++) {
    const d = chosen[i] - rejected[i];
    const score = Math.abs(d) <= cfg.tieTolerance ? 0.5 : d > 0 ? 1 : 0;
    if (score === 0.5) ties++;
    correct += score;
    marginSum += d;
    sum += chosen[i] + rejected[i];
    sumSq += chosen[i] * chosen[i] + rejected[i] * rejected[i];
    chosenSum += chosen[i];
    const cat = pairs[i]?.category;
    if (cfg.perCategory && cat !== undefined) {
      const c = byCategory.get(cat) ?? { n: 0, correct: 0 };
      c.n++;
      c.correct += score;
      byCategory.set(cat, c);
    }
  }
  const mean = n ? sum / (2 * n) : 0;
  const report: Record<string, number | string | object> = {
    accuracy: n ? correct / n : 0,
    n,
    ties,
    mean_margin: n ? marginSum / n : 0,
    reward_mean: mean,
    reward_std: n ? Math.sqrt(Math.max(0, sumSq / (2 * n) - mean * mean)) : 0,
    chosen_mean: n ? chosenSum / n : 0,
    rejected_mean: n ? (sum - chosenSum) / n : 0,
  };
  if (byCategory.size > 1) {
    report.by_category = Object.fromEntries(
      [...byCategory].map(([k, v]) => [k, { n: v.n, accuracy: v.correct / v.n }]),
    );
  }
  return report;
}

export const accuracy: EvalPlugin<AccuracyConfig> = {
  kind: 'eval',
  name: 'accuracy',
  description: 'reward accuracy (ties count 0.5), mean margin, reward mean/std',
  configSchema: AccuracyConfigSchema,
  create: (cfg) => ({ evaluate: (scores) => evaluateAccuracy(cfg, scores) }),
};
