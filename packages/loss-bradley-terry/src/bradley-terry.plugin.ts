import * as tf from '@tensorflow/tfjs-core';
import { bradleyTerryLossSum } from '@rewardkit/ops';
import type { LossInput, LossOutput, LossPlugin } from '@rewardkit/core';
import { pairCount, pairWeights, RankingsModeSchema, type ReduceOptions } from '@rewardkit/loss-pairwise';
import { z } from 'zod';
import { strengthMargins, StrengthMarginsSchema } from './strength-margins';

export const BradleyTerryConfigSchema = z
  .object({
    /** Probability that a label is flipped (conservative DPO/cDPO style); 0 trusts every label. */
    labelSmoothing: z.number().min(0).max(0.5).default(0),
    /** lambda of the reward-centering term lambda * (r_w + r_l)^2, which pins the reward scale near 0. */
    centering: z.number().min(0).default(0),
    /** Multiplies the data's per-pair `margin`; 0 ignores margins. */
    marginScale: z.number().min(0).default(1),
    /** Graded margins: the margin each annotated `strength` asks for, e.g. {"1": 0, "2": 0.5, "3": 1}. */
    strengthMargins: StrengthMarginsSchema.optional(),
    /** Graded margins, linear: margin = strengthScale * strength; 0 ignores strengths. */
    strengthScale: z.number().min(0).default(0),
    /** A ranking's pairs: 1/C(K,2) each and units counted (`weighted`, InstructGPT) or each pair once (`each`). */
    rankings: RankingsModeSchema,
  })
  .strict()
  .refine((c) => !(c.strengthMargins && c.strengthScale > 0), {
    message: 'give strengthMargins (a table) or strengthScale (linear), not both',
    path: ['strengthScale'],
  });
export type BradleyTerryConfig = z.infer<typeof BradleyTerryConfigSchema>;

/**
 * L = -(1 - eps) log sigmoid(d) - eps log sigmoid(-d) + lambda (r_w + r_l)^2 per pair,
 * d = r_w - r_l - marginScale * margin - m(strength), summed with the ranking weights. Plain
 * Bradley-Terry has no probability for a tie: tied pairs add nothing and are not counted
 * (bradley-terry-ties models them). The head runs as @rewardkit/ops's bradleyTerryLossSum (one
 * kernel each way on webgpu); centering, when on, is added beside it.
 */
export function bradleyTerryLoss(cfg: BradleyTerryConfig, input: LossInput): LossOutput {
  const { rChosen, rRejected, margins, strengths } = input;
  const reduce: ReduceOptions = { rankings: cfg.rankings, ties: 'skip' }; // no tie model: ties add nothing
  const lossSum = tf.tidy(() => {
    let m: tf.Tensor1D | undefined = cfg.marginScale !== 0 ? (tf.mul(margins, cfg.marginScale) as tf.Tensor1D) : undefined;
    const graded = strengthMargins(strengths, cfg.strengthMargins, cfg.strengthScale); // [n] or none
    if (graded) m = m ? (tf.add(m, graded) as tf.Tensor1D) : graded;
    const w = pairWeights(input, reduce); // [n] or none (all 1)
    let sum = bradleyTerryLossSum(rChosen, rRejected, { margins: m, weights: w, labelSmoothing: cfg.labelSmoothing });
    if (cfg.centering > 0) {
      const sq = tf.square(tf.add(rChosen, rRejected));
      sum = tf.add(sum, tf.mul(tf.sum(w ? tf.mul(sq, w) : sq), cfg.centering));
    }
    return sum;
  });
  return { lossSum, count: pairCount(input, reduce) };
}

export const bradleyTerry: LossPlugin<BradleyTerryConfig> = {
  kind: 'loss',
  name: 'bradley-terry',
  description:
    'Bradley-Terry pairwise loss -log sigmoid(r_w - r_l - margin), with graded margins from strengths, ranking weights, label smoothing and reward centering',
  configSchema: BradleyTerryConfigSchema,
  create: (cfg) => (input) => bradleyTerryLoss(cfg, input),
};
