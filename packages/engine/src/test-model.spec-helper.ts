import * as tf from '@tensorflow/tfjs-core';
import type { LossFn, RewardModel, SequenceBatch } from '@rewardkit/core';

/**
 * A tiny model for engine tests: r = w . mean(E[response ids]) (no output bias: see bag model). Small enough to reason about,
 * with an embedding (gather gradient) and a matrix (decayed) parameter. Like the bag model it
 * skips the prompt: a prompt shared by both sequences would give gradients that cancel exactly,
 * leaving float32 residue whose sign depends on summation order (see replica.spec.ts).
 */
export function tinyModel(vocabSize: number, dim = 4, seed = 3): RewardModel {
  const embed = tf.variable(tf.randomNormal([vocabSize, dim], 0, 0.5, 'float32', seed));
  const w = tf.variable(tf.randomNormal([dim, 1], 0, 0.5, 'float32', seed + 1));
  return {
    parameters: [
      { name: 'embed', variable: embed },
      { name: 'w', variable: w },
    ],
    score(batch: SequenceBatch) {
      const mask = new Float32Array(batch.rows * batch.width);
      for (let r = 0; r < batch.rows; r++) {
        const n = batch.lengths[r] - batch.promptLengths[r];
        for (let t = batch.promptLengths[r]; t < batch.lengths[r]; t++) mask[r * batch.width + t] = 1 / n;
      }
      return tf.tidy(() => {
        const e = tf.reshape(tf.gather(embed, tf.tensor1d(batch.ids, 'int32')), [batch.rows, batch.width, dim]); // [B, T, D]
        const pooled = tf.sum(tf.mul(e, tf.tensor3d(mask, [batch.rows, batch.width, 1])), 1) as tf.Tensor2D; // [B, D]
        return tf.reshape(tf.matMul(pooled, w), [batch.rows]) as tf.Tensor1D;
      });
    },
    flopsPerToken: () => 2 * dim,
    dispose: () => [embed, w].forEach((v) => v.dispose()),
  };
}

/** Bradley-Terry without options, as a sum. */
export const plainBradleyTerry: LossFn = ({ rChosen, rRejected, margins }) => ({
  lossSum: tf.tidy(() => tf.sum(tf.softplus(tf.neg(tf.sub(tf.sub(rChosen, rRejected), margins)))) as tf.Scalar),
  count: rChosen.shape[0],
});
