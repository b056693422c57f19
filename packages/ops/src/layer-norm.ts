/**
 * Layer norm over the last axis: (x - mean) / sqrt(var + eps) * gamma + beta, var the biased
 * variance (as GPT-2 and tf.moments compute it). Fused where the backend registers
 * LAYER_NORM_KERNEL (webgpu: one dispatch forward, four backward); elsewhere the reference.
 */
import * as tf from '@tensorflow/tfjs-core';
import { hasFusedKernel, LAYER_NORM_KERNEL } from './fused-kernel-names';

/** x: [..., C]; gamma, beta: [C]. */
export function layerNorm<T extends tf.Tensor>(x: T, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps: number): T {
  if (hasFusedKernel(LAYER_NORM_KERNEL, { x: x.shape, gamma: gamma.shape }, { eps })) {
    return tf.engine().runKernel(LAYER_NORM_KERNEL, { x, gamma, beta }, { eps }) as T;
  }
  return layerNormReference(x, gamma, beta, eps);
}

/** The unfused composition in tfjs ops. */
export function layerNormReference<T extends tf.Tensor>(x: T, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps: number): T {
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(x, -1, true); // [..., 1]
    const normed = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps)));
    return tf.add(tf.mul(normed, gamma), beta) as T;
  });
}
