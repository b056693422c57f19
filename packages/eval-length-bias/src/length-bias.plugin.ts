import type { EvalPlugin, EvalReport, PairScores, TextOrChat } from '@rewardkit/core';
import { bucketAccuracy, decidedPairs, pairOutcome, quantileEdges } from '@rewardkit/eval-math';
import { z } from 'zod';

export const LengthBiasConfigSchema = z
  .object({
    /** Buckets of length(chosen) - length(rejected), edges at quantiles. */
    buckets: z.number().int().min(1).default(5),
  })
  .strict();
export type LengthBiasConfig = z.infer<typeof LengthBiasConfigSchema>;

/** Characters of a response (a conversation: its messages' contents). */
export function textLength(t: TextOrChat): number {
  return typeof t === 'string' ? t.length : t.reduce((n, m) => n + m.content.length, 0);
}

/** Pearson correlation; 0 when either side is constant (or there is nothing). */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i] / n;
    my += y[i] / n;
  }
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : 0;
}

/**
 * Does the model just prefer longer answers? Over pairs with a winner: `longer_wins`, the accuracy
 * of the rule "the longer response wins" (equal lengths 0.5) on the same data, next to
 * `model_prefers_longer`, how often the model rewards the longer response higher (pairs of unequal
 * length; model ties 0.5); model accuracy by bucket of length(chosen) - length(rejected); and the
 * correlation of reward with length over every response. Lengths are the response tokens the model
 * saw when the caller gives them, else characters (`length_unit` says which).
 */
export function evaluateLengthBias(cfg: LengthBiasConfig, scores: PairScores): EvalReport {
  const { chosen, rejected, pairs } = scores;
  const tokens = scores.chosenTokens !== undefined && scores.rejectedTokens !== undefined;
  const lenChosen = (i: number) => (tokens ? scores.chosenTokens![i] : textLength(pairs[i].chosen));
  const lenRejected = (i: number) => (tokens ? scores.rejectedTokens![i] : textLength(pairs[i].rejected));

  const idx = decidedPairs(scores);
  const diff = new Float64Array(idx.length);
  const outcomes = new Float64Array(idx.length);
  let longerWins = 0;
  let unequal = 0;
  let prefersLonger = 0;
  idx.forEach((i, k) => {
    diff[k] = lenChosen(i) - lenRejected(i);
    outcomes[k] = pairOutcome(chosen[i], rejected[i]);
    longerWins += diff[k] > 0 ? 1 : diff[k] === 0 ? 0.5 : 0;
    if (diff[k] !== 0) {
      unequal++;
      prefersLonger += diff[k] > 0 ? outcomes[k] : 1 - outcomes[k];
    }
  });

  const n = chosen.length;
  const lengths = new Float64Array(2 * n);
  const rewards = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    lengths[2 * i] = lenChosen(i);
    lengths[2 * i + 1] = lenRejected(i);
    rewards[2 * i] = chosen[i];
    rewards[2 * i + 1] = rejected[i];
  }
  return {
    longer_wins: idx.length ? longerWins / idx.length : 0,
    model_prefers_longer: unequal ? prefersLonger / unequal : 0,
    length_reward_corr: pearson(lengths, rewards),
    length_unit: tokens ? 'tokens' : 'characters',
    length_buckets: bucketAccuracy(diff, outcomes, quantileEdges(diff, cfg.buckets)),
  };
}

export const lengthBias: EvalPlugin<LengthBiasConfig> = {
  kind: 'eval',
  name: 'length-bias',
  description: '"longer response wins" accuracy, accuracy by length-difference bucket, reward-length correlation',
  configSchema: LengthBiasConfigSchema,
  create: (cfg) => ({ evaluate: (scores) => evaluateLengthBias(cfg, scores) }),
};
