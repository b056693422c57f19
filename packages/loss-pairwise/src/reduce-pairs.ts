import * as tf from '@tensorflow/tfjs-core';
import type { LossInput, LossOutput } from '@rewardkit/core';
import { pairCount, pairWeights, type ReduceOptions } from './pair-weights';

/**
 * The shard's loss sum and count from per-pair losses `perPair` [n], as the LossOutput contract
 * wants them: `weighted` sums w_i * l_i over pairs (w_i = 1/C(K,2) of the pair's unit) and counts
 * units; `each` sums l_i and counts pairs; skipped ties add nothing and are not counted
 * (`pairWeights`, `pairCount`).
 */
export function reducePairs(perPair: tf.Tensor1D, input: LossInput, opts: ReduceOptions): LossOutput {
  const lossSum = tf.tidy(() => {
    const w = pairWeights(input, opts);
    return tf.sum(w ? tf.mul(perPair, w) : perPair) as tf.Scalar;
  });
  return { lossSum, count: pairCount(input, opts) };
}
