import type * as tf from '@tensorflow/tfjs-core';
import type { NamedParameter } from './model-plugin';
import type { PluginBase } from './plugin';

/**
 * One shard's rewards as a loss sees them. Every response of the shard is scored ONCE
 * (`rankings.rewards`); the pair view (`rChosen`/`rRejected`) gathers from those rewards, so a
 * pairwise loss and a listwise loss read the same forward pass. A pair record is a unit of two
 * responses (ranks [0, 1], or [0, 0] for a tie) and exactly one pair of weight 1.
 */
export interface LossInput {
  /** [n] the shard's pairs: reward of the better response (for a tie: the first). */
  readonly rChosen: tf.Tensor1D;
  /** [n] reward of the other response of each pair. */
  readonly rRejected: tf.Tensor1D;
  /** [n] required reward gaps (0 where none; always 0 for a tie). */
  readonly margins: tf.Tensor1D;
  /** [n] 1 where the pair is an annotated tie, else 0. */
  readonly ties: tf.Tensor1D;
  /** [n] annotated strength (0 where none). */
  readonly strengths: tf.Tensor1D;
  /** [n] the pair's share of its unit: 1 for a pair record, 1/C(K,2) for each pair of a K-ranking. */
  readonly weights: tf.Tensor1D;
  /** The shard's units as rankings; `rChosen`/`rRejected` are gathers of `rewards`. */
  readonly rankings: {
    /** [m] one reward per response, unit by unit. */
    readonly rewards: tf.Tensor1D;
    /** [u+1] unit u's responses are rewards[offsets[u] .. offsets[u+1]). */
    readonly offsets: Int32Array;
    /** [m] rank of each response within its unit, 0 = best; equal ranks are tied. */
    readonly ranks: Int32Array;
  };
  /** Number of units (records) in this shard. */
  readonly units: number;
}

export interface LossOutput {
  /**
   * Sum over this shard's units, never a mean: the trainer divides loss and gradient by the
   * global `count` (summed over workers), so N workers compute what one would.
   */
  readonly lossSum: tf.Scalar;
  /**
   * How many units `lossSum` sums over: pairs for the unweighted pairwise form (Bradley-Terry),
   * units (records) for weighted or listwise forms. The divisor of the reported loss and of the
   * gradient; accuracy stays per strict pair whatever the loss counts.
   */
  readonly count: number;
}

/**
 * A pure function of tensors. It may carry learned parameters (e.g. a tie parameter), created by
 * the plugin's `create()`: the replica trains them with the model's (all-reduced, AdamW without
 * weight decay for rank < 2, checkpointed and restored); a model export leaves them out.
 */
export type LossFn = ((input: LossInput) => LossOutput) & { readonly parameters?: readonly NamedParameter[] };

export type LossPlugin<C = unknown> = PluginBase<'loss', C, void, LossFn>;
