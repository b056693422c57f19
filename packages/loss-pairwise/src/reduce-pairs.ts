import * as tf from '@tensorflow/tfjs-core';
import type { LossInput, LossOutput } from '@rewardkit/core';
import type { RankingsMode } from './rankings-mode';
import { strictCounts } from './strict-counts';

export interface ReduceOptions {
  readonly rankings: RankingsMode;
  /** `skip`: tied pairs add nothing and are left out of the count (a loss with no tie model). */
  readonly ties: 'keep' | 'skip';
}

/**
 * The shard's loss sum and count from per-pair losses `perPair` [n], as the LossOutput contract
 * wants them: `weighted` sums w_i * l_i over pairs (w_i = 1/C(K,2) of the pair's unit) and counts
 * units; `each` sums l_i and counts pairs. Skipped ties are zeroed by a data mask (off the tape).
 */
export function reducePairs(perPair: tf.Tensor1D, input: LossInput, opts: ReduceOptions): LossOutput {
  const lossSum = tf.tidy(() => {
    let w: tf.Tensor1D | undefined = opts.rankings === 'weighted' ? input.weights : undefined;
    if (opts.ties === 'skip') {
      const strict = tf.sub(1, input.ties) as tf.Tensor1D; // [n] 1 for a strict pair
      w = w ? (tf.mul(w, strict) as tf.Tensor1D) : strict;
    }
    return tf.sum(w ? tf.mul(perPair, w) : perPair) as tf.Scalar;
  });
  if (opts.ties === 'skip') {
    const strict = strictCounts(input.rankings);
    return { lossSum, count: opts.rankings === 'weighted' ? strict.units : strict.pairs };
  }
  return { lossSum, count: opts.rankings === 'weighted' ? input.units : perPair.shape[0] };
}
