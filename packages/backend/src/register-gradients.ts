/**
 * Op gradients for tfjs-core on Node.
 *
 * `@tensorflow/tfjs-core`'s CommonJS build registers no gradients (only ops with a custom gradient,
 * such as `tf.logSigmoid`, have one), so `tf.variableGrads` fails with "gradient function not
 * found for Sum" unless something registers them. The union package `@tensorflow/tfjs` does so
 * when loaded (~150 ms here), on the same tfjs-core engine; tfjs-node(-gpu) loads it too.
 */
import * as tf from '@tensorflow/tfjs-core';
import { registerReduceGradients } from './reduce-grads';

/**
 * Registers every tfjs-core gradient on the shared registry. Idempotent and cheap after the first
 * call; called by `initBackend`, exported for code that computes gradients without it (tests).
 */
export function registerAllGradients(): void {
  // BatchMatMul stands for the whole set: they are registered all at once.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  if (tf.getGradient('BatchMatMul') === undefined) require('@tensorflow/tfjs');
  registerReduceGradients(); // Sum/Mean without a host tensor of ones (reduce-grads.ts)
}
