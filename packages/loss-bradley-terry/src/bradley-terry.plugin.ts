import * as tf from '@tensorflow/tfjs-core';
import { logSigmoid } from '@rewardkit/ops';
import type { LossInput, LossOutput, LossPlugin } from '@rewardkit/core';
import { z } from 'zod';

export const BradleyTerryConfigSchema = z
  .object({
    /** Probability that a label is flipped (conservative DPO/cDPO style); 0 trusts every label. */
    labelSmoothing: z.number().min(0).max(0.5).default(0),
    /** lambda of the reward-centering term lambda * (r_w + r_l)^2, which pins the reward scale near 0. */
    centering: z.number().min(0).default(0),
    /** Multiplies the data's per-pair `margin`; 0 ignores margins. */
    marginScale: z.number().min(0).default(1),
  })
  .strict();
export type BradleyTerryConfig = z.infer<typeof BradleyTerryConfigSchema>;

/**
 * L = -(1 - eps) log sigmoid(d) - eps log sigmoid(-d) + lambda (r_w + r_l)^2,
 * d = r_w - r_l - marginScale * margin, summed over the pairs.
 */
export function bradleyTerryLoss(cfg: BradleyTerryConfig, { rChosen, rRejected, margins }: LossInput): LossOutput {
  const count = rChosen.shape[0];
  const lossSum = tf.tidy(() => {
    let d = tf.sub(rChosen, rRejected); // [n]
    if (cfg.marginScale !== 0) d = tf.sub(d, tf.mul(margins, cfg.marginScale));
    let perPair = tf.neg(logSigmoid(d)); // [n]
    if (cfg.labelSmoothing > 0) {
      perPair = tf.add(tf.mul(perPair, 1 - cfg.labelSmoothing), tf.mul(tf.neg(logSigmoid(tf.neg(d))), cfg.labelSmoothing));
    }
    if (cfg.centering > 0) perPair = tf.add(perPair, tf.mul(tf.square(tf.add(rChosen, rRejected)), cfg.centering));
    return tf.sum(perPair) as tf.Scalar;
  });
  return { lossSum, count };
}

export const bradleyTerry: LossPlugin<BradleyTerryConfig> = {
  kind: 'loss',
  name: 'bradley-terry',
  description: 'Bradley-Terry pairwise loss -log sigmoid(r_w - r_l - margin), with label smoothing and reward centering',
  configSchema: BradleyTerryConfigSchema,
  create: (cfg) => (input) => bradleyTerryLoss(cfg, input),
};
