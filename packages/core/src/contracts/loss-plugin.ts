import type * as tf from '@tensorflow/tfjs-core';
import type { PluginBase } from './plugin';

export interface LossInput {
  /** [n] rewards of the chosen responses. */
  readonly rChosen: tf.Tensor1D;
  /** [n] rewards of the rejected responses. */
  readonly rRejected: tf.Tensor1D;
  /** [n] required reward gaps (0 where the data gives none). */
  readonly margins: tf.Tensor1D;
}

export interface LossOutput {
  /**
   * Sum over this shard's units, never a mean: the trainer divides loss and gradient by the
   * global `count` (summed over workers), so N workers compute what one would.
   */
  readonly lossSum: tf.Scalar;
  /**
   * How many units `lossSum` sums over: the number of pairs for a pairwise loss (Bradley-Terry),
   * other units for other losses (e.g. the pairs a K-wise ranking expands to). The divisor of the
   * reported loss and of the gradient; accuracy stays per pair whatever the loss counts.
   */
  readonly count: number;
}

/** A pure function of tensors. */
export type LossFn = (input: LossInput) => LossOutput;

export type LossPlugin<C = unknown> = PluginBase<'loss', C, void, LossFn>;
