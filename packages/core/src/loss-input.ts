/**
 * The one construction of a loss's input from a shard's rewards, shared by the replica (training),
 * the contract suite (tests of every loss) and anything else that calls a LossFn: every response
 * is scored once (`rewards`), the pair view gathers from it, so a loss's gradient with respect to
 * `rewards` collects the contributions of every pair a response is in.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LossInput } from './contracts/loss-plugin';
import { pairIndex, unitCount, type PairIndex, type UnitBatch } from './unit-batch';

/** What a loss input needs of a shard: its unit structure, not its tokens. */
export type UnitStructure = Pick<UnitBatch, 'offsets' | 'ranks' | 'margins' | 'strengths'>;

/**
 * `rewards` [m]: one per row of the shard. Call inside `tf.tidy`/`variableGrads`: the tensors it
 * creates belong to the caller's scope. `index` may be passed when the caller already expanded it.
 */
export function lossInput(rewards: tf.Tensor1D, shard: UnitStructure, index: PairIndex = pairIndex(shard)): LossInput {
  return {
    rChosen: tf.gather(rewards, tf.tensor1d(index.better, 'int32')) as tf.Tensor1D,
    rRejected: tf.gather(rewards, tf.tensor1d(index.worse, 'int32')) as tf.Tensor1D,
    margins: tf.tensor1d(index.margins),
    ties: tf.tensor1d(index.ties),
    strengths: tf.tensor1d(index.strengths),
    weights: tf.tensor1d(index.weights),
    rankings: { rewards, offsets: shard.offsets, ranks: shard.ranks },
    units: unitCount(shard),
  };
}
