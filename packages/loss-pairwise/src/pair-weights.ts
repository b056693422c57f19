import * as tf from '@tensorflow/tfjs-core';
import type { LossInput } from '@rewardkit/core';
import type { RankingsMode } from './rankings-mode';
import { strictCounts } from './strict-counts';

export interface ReduceOptions {
  readonly rankings: RankingsMode;
  /** `skip`: tied pairs add nothing and are left out of the count (a loss with no tie model). */
  readonly ties: 'keep' | 'skip';
}

/**
 * Each pair's weight [n] in a shard's loss sum, or undefined when every weight is 1: `weighted`
 * gives a pair its unit's share 1/C(K,2); skipped ties are zeroed by a data mask (off the tape),
 * left out when the shard holds no tied pair (read from the host-side ranks, no device sync).
 * May make a tensor: call in a tidy. The one rule of reducePairs and of losses that sum their own
 * way (bradley-terry's fused head takes these as its weights).
 */
export function pairWeights(input: LossInput, opts: ReduceOptions): tf.Tensor1D | undefined {
  const w = opts.rankings === 'weighted' ? input.weights : undefined;
  if (opts.ties === 'keep' || strictCounts(input.rankings).pairs === input.rChosen.shape[0]) return w;
  const strict = tf.sub(1, input.ties) as tf.Tensor1D; // [n] 1 for a strict pair
  return w ? (tf.mul(w, strict) as tf.Tensor1D) : strict;
}

/** The count that goes with a sum weighed by `pairWeights`: units when `weighted`, else pairs; with ties skipped, only those holding a strict preference. */
export function pairCount(input: LossInput, opts: ReduceOptions): number {
  if (opts.ties === 'keep') return opts.rankings === 'weighted' ? input.units : input.rChosen.shape[0];
  const strict = strictCounts(input.rankings);
  return opts.rankings === 'weighted' ? strict.units : strict.pairs;
}
