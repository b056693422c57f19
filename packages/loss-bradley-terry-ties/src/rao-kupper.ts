import * as tf from '@tensorflow/tfjs-core';

/**
 * Rao and Kupper (1967), with strengths pi = exp(r), d = r_a - r_b and theta = e^alpha > 1:
 *   P(a wins) = pi_a / (pi_a + theta pi_b)                                  = sigmoid(d - alpha)
 *   P(tie)    = (theta^2 - 1) pi_a pi_b / ((pi_a + theta pi_b)(theta pi_a + pi_b))
 *             = 1 - sigmoid(d - alpha) - sigmoid(-d - alpha)
 * so -log P(win) = softplus(alpha - d) and
 *    -log P(tie) = softplus(d - alpha) + softplus(-d - alpha) - log(1 - e^(-2 alpha)).
 * A win needs a gap beyond alpha (a "threshold" model); theta = 2 gives a third each at d = 0.
 * Per pair [n]: the tie's term where `ties` is 1, the win's where 0.
 */
export function raoKupperNll(d: tf.Tensor1D, ties: tf.Tensor1D, alpha: tf.Scalar): tf.Tensor1D {
  return tf.tidy(() => {
    const win = tf.softplus(tf.sub(alpha, d)); // [n]
    const logTieMass = tf.log(tf.neg(tf.expm1(tf.mul(alpha, -2)))); // log(1 - e^(-2 alpha)), a scalar
    const tie = tf.sub(tf.add(tf.softplus(tf.sub(d, alpha)), tf.softplus(tf.sub(tf.neg(d), alpha))), logTieMass); // [n]
    return tf.add(tf.mul(tie, ties), tf.mul(win, tf.sub(1, ties))) as tf.Tensor1D;
  });
}
