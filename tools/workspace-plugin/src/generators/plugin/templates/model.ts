import type { Names } from '../names';

/** A model to start from: a linear bag of words, the smallest model with a gradient. */
export function modelSource(n: Names): string {
  return `import * as tf from '@tensorflow/tfjs-core';
import type { ModelPlugin, RewardModel, SequenceBatch } from '@rewardkit/core';
import { z } from 'zod';

export const ${n.type}ConfigSchema = z
  .object({
    initStd: z.number().positive().default(0.02), // small init keeps early rewards near 0
  })
  .strict();
export type ${n.type}Config = z.infer<typeof ${n.type}ConfigSchema>;

/**
 * ${n.name}: starts as a linear bag of words, r = mean over response tokens of w[token].
 * Masks and indices are built outside the gradient tape (plain arrays); keep it that way.
 * No output bias: Bradley-Terry cannot see one (see model-bag).
 */
export const ${n.value}: ModelPlugin<${n.type}Config> = {
  kind: 'model',
  name: '${n.name}',
  description: '${n.name} reward model (a linear bag of words to start from)',
  configSchema: ${n.type}ConfigSchema,
  create: (cfg, ctx): RewardModel => {
    const init = tf.randomNormal([ctx.vocabSize, 1], 0, cfg.initStd, 'float32', ctx.seed);
    const table = tf.variable(init);
    init.dispose();
    return {
      parameters: [{ name: 'table.weight', variable: table }],
      score(batch: SequenceBatch) {
        const weights = new Float32Array(batch.rows * batch.width); // [B, T] mean over the response
        for (let b = 0; b < batch.rows; b++) {
          const start = Math.min(batch.promptLengths[b], batch.lengths[b] - 1);
          weights.fill(1 / (batch.lengths[b] - start), b * batch.width + start, b * batch.width + batch.lengths[b]);
        }
        return tf.tidy(() => {
          const perToken = tf.reshape(tf.gather(table, tf.tensor1d(batch.ids, 'int32')), [batch.rows, batch.width]); // [B, T]
          return tf.sum(tf.mul(perToken, tf.tensor2d(weights, [batch.rows, batch.width])), 1) as tf.Tensor1D; // [B]
        });
      },
      flopsPerToken: () => 2,
      dispose: () => table.dispose(),
    };
  },
};
`;
}
