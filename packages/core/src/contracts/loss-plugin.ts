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
  /** Sum over the pairs, never a mean: the trainer divides by the global pair count. */
  readonly lossSum: tf.Scalar;
  readonly count: number;
}

/** A pure function of tensors. */
export type LossFn = (input: LossInput) => LossOutput;

export type LossPlugin<C = unknown> = PluginBase<'loss', C, void, LossFn>;
