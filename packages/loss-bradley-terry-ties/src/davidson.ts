import * as tf from '@tensorflow/tfjs-core';

/**
 * Davidson (1970), with strengths pi = exp(r) and d = r_a - r_b:
 *   P(a wins) = pi_a / (pi_a + pi_b + nu sqrt(pi_a pi_b)) = 1 / (1 + e^-d + nu e^(-d/2))
 *   P(tie)    = nu sqrt(pi_a pi_b) / (...)            = nu / (e^(d/2) + e^(-d/2) + nu)
 * so -log P(win) = logsumexp(0, -d, log nu - d/2) and -log P(tie) = logsumexp(d/2, -d/2, log nu)
 * - log nu: both finite for any float32 d. A tie is likeliest at d = 0; nu = 1 gives win, tie and
 * loss a third each there. Per pair [n]: the tie's term where `ties` is 1, the win's where 0.
 */
export function davidsonNll(d: tf.Tensor1D, ties: tf.Tensor1D, logNu: tf.Scalar): tf.Tensor1D {
  return tf.tidy(() => {
    const half = tf.mul(d, 0.5); // [n]
    const logNuN = tf.add(tf.zerosLike(d), logNu); // [n]
    const win = tf.logSumExp(tf.stack([tf.zerosLike(d), tf.neg(d), tf.sub(logNuN, half)]), 0); // [n]
    const tie = tf.sub(tf.logSumExp(tf.stack([half, tf.neg(half), logNuN]), 0), logNuN); // [n]
    return tf.add(tf.mul(tie, ties), tf.mul(win, tf.sub(1, ties))) as tf.Tensor1D;
  });
}
