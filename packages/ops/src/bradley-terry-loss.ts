/**
 * The Bradley-Terry loss head as one op: the weighted sum over pairs of
 *   l_i = -(1 - eps) log sigmoid(d_i) - eps log sigmoid(-d_i),   d_i = rChosen_i - rRejected_i - margin_i,
 * which is the same as softplus(-d_i) + eps d_i (since softplus(d) = softplus(-d) + d), and
 *   dl_i/d(rChosen_i) = eps - sigmoid(-d_i) = -dl_i/d(rRejected_i).
 *
 * Why one op: unfused the head is a subtraction per margin, two negations, softplus, the smoothing
 * blend, a weight multiply and a sum forward (each a dispatch and a tensor on webgpu), and about as
 * many again backward. Where the backend registers BRADLEY_TERRY_LOSS_KERNEL (webgpu:
 * packages/backend/src/webgpu-bt-loss.ts) it is one dispatch forward (all pairs summed in one
 * workgroup) and one backward (both reward gradients); elsewhere the reference composition below.
 */
import * as tf from '@tensorflow/tfjs-core';
import { BRADLEY_TERRY_LOSS_KERNEL, hasFusedKernel } from './fused-kernel-names';
import { logSigmoid } from './log-sigmoid';

export interface BradleyTerryLossOptions {
  /** [n] required reward gaps, subtracted from r_w - r_l; none: 0. Data, not trained. */
  readonly margins?: tf.Tensor1D;
  /** [n] each pair's weight in the sum; none: 1. */
  readonly weights?: tf.Tensor1D;
  /** eps, the probability that a label is flipped, in [0, 0.5]; default 0. */
  readonly labelSmoothing?: number;
}

function checkOptions(rChosen: tf.Tensor1D, rRejected: tf.Tensor1D, opts: BradleyTerryLossOptions): number {
  const eps = opts.labelSmoothing ?? 0;
  if (!(eps >= 0 && eps <= 0.5)) throw new RangeError(`bradleyTerryLossSum: labelSmoothing must lie in [0, 0.5], got ${eps}`);
  const n = rChosen.size;
  const shapes: [string, tf.Tensor | undefined][] = [
    ['rChosen', rChosen],
    ['rRejected', rRejected],
    ['margins', opts.margins],
    ['weights', opts.weights],
  ];
  for (const [name, t] of shapes) {
    if (t !== undefined && (t.rank !== 1 || t.size !== n)) throw new RangeError(`bradleyTerryLossSum: ${name} has shape [${t.shape}], expected [${n}]`);
  }
  return eps;
}

/** Sum over pairs of w_i l_i (a scalar); its gradient flows to both rewards (and to margins and weights). */
export function bradleyTerryLossSum(rChosen: tf.Tensor1D, rRejected: tf.Tensor1D, opts: BradleyTerryLossOptions = {}): tf.Scalar {
  const labelSmoothing = checkOptions(rChosen, rRejected, opts);
  if (rChosen.size > 0 && hasFusedKernel(BRADLEY_TERRY_LOSS_KERNEL)) {
    return tf.tidy(() => {
      // an absent margins/weights input is a 1-element host placeholder the kernel neither binds
      // nor reads (tfjs saves every named input for the gradient, so each name needs a tensor)
      const placeholder = () => tf.zeros([1]) as tf.Tensor1D;
      const inputs = { rChosen, rRejected, margins: opts.margins ?? placeholder(), weights: opts.weights ?? placeholder() };
      const attrs = { labelSmoothing, hasMargins: opts.margins !== undefined, hasWeights: opts.weights !== undefined };
      return tf.reshape(tf.engine().runKernel(BRADLEY_TERRY_LOSS_KERNEL, inputs, attrs) as tf.Tensor, []) as tf.Scalar; // [1] -> []
    });
  }
  return bradleyTerryLossSumReference(rChosen, rRejected, opts);
}

/** The unfused composition, in the ops the Bradley-Terry plugin used before the fused kernel. */
export function bradleyTerryLossSumReference(rChosen: tf.Tensor1D, rRejected: tf.Tensor1D, opts: BradleyTerryLossOptions = {}): tf.Scalar {
  const eps = checkOptions(rChosen, rRejected, opts);
  return tf.tidy(() => {
    let d: tf.Tensor1D = tf.sub(rChosen, rRejected); // [n]
    if (opts.margins) d = tf.sub(d, opts.margins);
    let l: tf.Tensor1D = tf.neg(logSigmoid(d)); // [n] softplus(-d)
    if (eps > 0) l = tf.add(tf.mul(l, 1 - eps), tf.mul(tf.neg(logSigmoid(tf.neg(d))), eps));
    return tf.sum(opts.weights ? tf.mul(l, opts.weights) : l) as tf.Scalar;
  });
}
