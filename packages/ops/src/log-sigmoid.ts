/**
 * Ops that replace tfjs-core ones which break under gradient tapes.
 *
 * `tf.logSigmoid` is built with `tf.customGrad`. In tfjs-core 4.22, inside `tf.variableGrads`, its
 * gradient throws "Cannot read properties of undefined (reading 'backend')" whenever its input
 * was itself computed on the tape (its custom gradient reads a tensor the tape already freed);
 * seen on cpu and wasm, reported on tensorflow too. Bradley-Terry losses are exactly
 * `-logSigmoid(rChosen - rRejected)`, so use this one.
 */
import * as tf from '@tensorflow/tfjs-core';

/**
 * log(sigmoid(x)) = -softplus(-x), built from ops whose ordinary gradients work everywhere.
 * Stable for any float32 input: tfjs's softplus returns x itself for large x and exp(x) for very
 * negative x, so neither tail overflows nor loses the value to rounding, and its gradient is
 * sigmoid, which saturates cleanly to 0 or 1.
 */
export function logSigmoid<T extends tf.Tensor>(x: T): T {
  return tf.tidy(() => tf.neg(tf.softplus(tf.neg(x))));
}
