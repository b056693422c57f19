import * as tf from '@tensorflow/tfjs-core';
import type { LossInput, LossOutput, LossPlugin } from '@rewardkit/core';
import { RankingsModeSchema, reducePairs } from '@rewardkit/loss-pairwise';
import { z } from 'zod';

export const HingeConfigSchema = z
  .object({
    /** The gap every strict pair must clear, r_w - r_l >= margin (PyTorch's MarginRankingLoss margin). */
    margin: z.number().min(0).default(1),
    /** Multiplies the data's per-pair `margin`, added to the base margin; 0 ignores it. */
    marginScale: z.number().min(0).default(1),
    /** A tie is free while |r_a - r_b| <= tieBand and costs the excess beyond it. Half the margin by default. */
    tieBand: z.number().min(0).default(0.5),
    /** A ranking's pairs: 1/C(K,2) each and units counted (`weighted`, InstructGPT) or each pair once (`each`). */
    rankings: RankingsModeSchema,
  })
  .strict();
export type HingeConfig = z.infer<typeof HingeConfigSchema>;

/**
 * Per pair, with d = r_w - r_l:
 *   strict: max(0, margin + marginScale * m - d)   (nothing once the gap clears the margin)
 *   tie:    max(0, |d| - tieBand)                   (nothing while the two stay within the band)
 * summed with the ranking weights. Unlike Bradley-Terry, pairs already ranked well enough stop
 * pulling: rewards stay on the margin's scale instead of drifting apart.
 */
export function hingeLoss(cfg: HingeConfig, input: LossInput): LossOutput {
  const { rChosen, rRejected, margins, ties } = input;
  const perPair = tf.tidy(() => {
    const d = tf.sub(rChosen, rRejected); // [n]
    const need = tf.add(tf.mul(margins, cfg.marginScale), cfg.margin); // [n] the gap each strict pair must clear
    const strict = tf.relu(tf.sub(need, d)); // [n]
    const tie = tf.relu(tf.sub(tf.abs(d), cfg.tieBand)); // [n]
    return tf.add(tf.mul(tie, ties), tf.mul(strict, tf.sub(1, ties))) as tf.Tensor1D;
  });
  try {
    return reducePairs(perPair, input, { rankings: cfg.rankings, ties: 'keep' });
  } finally {
    perPair.dispose();
  }
}

export const hinge: LossPlugin<HingeConfig> = {
  kind: 'loss',
  name: 'hinge',
  description: 'Hinge (margin ranking) loss max(0, margin - (r_w - r_l)); ties penalised beyond a band |r_a - r_b| <= tieBand',
  configSchema: HingeConfigSchema,
  create: (cfg) => (input) => hingeLoss(cfg, input),
};
