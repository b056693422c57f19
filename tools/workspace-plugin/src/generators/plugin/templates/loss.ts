import type { Names } from '../names';

/** A loss to start from: scaled Bradley-Terry, built on @rewardkit/ops (gradients that work everywhere). */
export function lossSource(n: Names): string {
  return `import * as tf from '@tensorflow/tfjs-core';
import type { LossPlugin } from '@rewardkit/core';
import { logSigmoid } from '@rewardkit/ops';
import { z } from 'zod';

export const ${n.type}ConfigSchema = z
  .object({
    scale: z.number().positive().default(1), // how sharply the loss separates the pair (1: plain Bradley-Terry)
  })
  .strict();
export type ${n.type}Config = z.infer<typeof ${n.type}ConfigSchema>;

/**
 * ${n.name}: starts as a scaled Bradley-Terry loss, -logSigmoid(scale * (r_w - r_l - margin)).
 * Change the body; keep returning a SUM over pairs and the count (the trainer divides by the
 * global pair count), and build it from tfjs-core and @rewardkit/ops ops (their gradients work on
 * every backend; tf.logSigmoid's does not).
 */
export const ${n.value}: LossPlugin<${n.type}Config> = {
  kind: 'loss',
  name: '${n.name}',
  description: '${n.name} pairwise loss (scaled Bradley-Terry to start from)',
  configSchema: ${n.type}ConfigSchema,
  create: (cfg) => ({ rChosen, rRejected, margins }) => ({
    lossSum: tf.tidy(() => tf.neg(tf.sum(logSigmoid(tf.mul(tf.sub(tf.sub(rChosen, rRejected), margins), cfg.scale)))) as tf.Scalar), // []
    count: rChosen.shape[0],
  }),
};
`;
}
