import type { EvalPlugin, EvalReport, PairScores } from '@rewardkit/core';
import { z } from 'zod';
import { kendallTauB } from './kendall-tau';

export const RankingConfigSchema = z
  .object({
    /**
     * |r_a - r_b| below this counts as the model calling a tie. 'auto': a quarter of the standard
     * deviation of the set's rewards, so it follows the reward scale (reported as tie_threshold).
     */
    tieThreshold: z.union([z.number().min(0), z.literal('auto')]).default('auto'),
  })
  .strict();
export type RankingConfig = z.infer<typeof RankingConfigSchema>;

/** The auto threshold's share of the rewards' standard deviation. */
const AUTO_SHARE = 0.25;

/**
 * For data with ties and K-wise rankings (pairs carrying `tie` and `group`, as a ranking expands):
 * - pair_accuracy: strict pairs (every ordered pair of every ranking, and plain pairs) with
 *   r_better > r_worse, equal rewards counting 0.5;
 * - tie_aware_accuracy: every pair as a three-way call at `tie_threshold`: a strict pair is right
 *   when r_better - r_worse >= threshold, an annotated tie when |r_a - r_b| < threshold
 *   (tie_accuracy: ties alone);
 * - kendall_tau: Kendall's tau-b of the model's rewards against each ranking (per prompt), the
 *   mean over rankings whose tau is defined.
 */
export function evaluateRanking(cfg: RankingConfig, scores: PairScores): EvalReport {
  const { chosen, rejected, pairs } = scores;
  const n = pairs.length;
  const threshold = cfg.tieThreshold === 'auto' ? AUTO_SHARE * rewardStd(chosen, rejected) : cfg.tieThreshold;
  let [strict, correct, aware, ties, tiesRight] = [0, 0, 0, 0, 0];
  const groups = new Map<string, { tie: boolean; gap: number }[]>();
  for (let i = 0; i < n; i++) {
    const gap = chosen[i] - rejected[i];
    const tie = pairs[i].tie === true;
    if (tie) {
      ties++;
      if (Math.abs(gap) < threshold) tiesRight++;
    } else {
      strict++;
      correct += gap > 0 ? 1 : gap === 0 ? 0.5 : 0;
      if (gap >= threshold && gap > 0) aware++;
    }
    const g = pairs[i].group;
    if (g !== undefined) groups.set(g, [...(groups.get(g) ?? []), { tie, gap }]);
  }
  const taus = [...groups.values()].map(kendallTauB).filter((t) => !Number.isNaN(t));
  return {
    pair_accuracy: strict ? correct / strict : 0,
    strict_pairs: strict,
    tie_aware_accuracy: n ? (aware + tiesRight) / n : 0,
    tie_accuracy: ties ? tiesRight / ties : 0,
    tie_threshold: threshold,
    data_ties: ties,
    kendall_tau: taus.length ? taus.reduce((s, t) => s + t, 0) / taus.length : 0,
    rankings: taus.length,
  };
}

function rewardStd(a: Float64Array, b: Float64Array): number {
  const n = a.length + b.length;
  if (n === 0) return 0;
  let [sum, sq] = [0, 0];
  for (const x of [...a, ...b]) [sum, sq] = [sum + x, sq + x * x];
  const mean = sum / n;
  return Math.sqrt(Math.max(0, sq / n - mean * mean));
}

export const ranking: EvalPlugin<RankingConfig> = {
  kind: 'eval',
  name: 'ranking',
  description: "accuracy over every strict pair of rankings, tie-aware accuracy (with its threshold) and Kendall's tau per prompt",
  configSchema: RankingConfigSchema,
  create: (cfg) => ({ evaluate: (scores) => evaluateRanking(cfg, scores) }),
};
