import * as tf from '@tensorflow/tfjs-core';
import { logSigmoid } from '@rewardkit/ops';
import type { LossInput, LossOutput, LossPlugin } from '@rewardkit/core';
import { RankingsModeSchema, reducePairs } from '@rewardkit/loss-pairwise';
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
 * (bradley-terry-ties models them).
 */
export function bradleyTerryLoss(cfg: BradleyTerryConfig, input: LossInput): LossOutput {
  const { rChosen, rRejected, margins, strengths } = input;
  const perPair = tf.tidy(() => {
    let d = tf.sub(rChosen, rRejected); // [n]
    if (cfg.marginScale !== 0) d = tf.sub(d, tf.mul(margins, cfg.marginScale));
    const graded = strengthMargins(strengths, cfg.strengthMargins, cfg.strengthScale); // [n] or none
    if (graded) d = tf.sub(d, graded);
    let l = tf.neg(logSigmoid(d)); // [n]
    if (cfg.labelSmoothing > 0) {
      l = tf.add(tf.mul(l, 1 - cfg.labelSmoothing), tf.mul(tf.neg(logSigmoid(tf.neg(d))), cfg.labelSmoothing));
    }
    if (cfg.centering > 0) l = tf.add(l, tf.mul(tf.square(tf.add(rChosen, rRejected)), cfg.centering));
    return l as tf.Tensor1D;
  });
  try {
    return reducePairs(perPair, input, { rankings: cfg.rankings, ties: 'skip' });
  } finally {
    perPair.dispose();
  }
}

export const bradleyTerry: LossPlugin<BradleyTerryConfig> = {
  kind: 'loss',
  name: 'bradley-terry',
  description:
    'Bradley-Terry pairwise loss -log sigmoid(r_w - r_l - margin), with graded margins from strengths, ranking weights, label smoothing and reward centering',
  configSchema: BradleyTerryConfigSchema,
  create: (cfg) => (input) => bradleyTerryLoss(cfg, input),
};
