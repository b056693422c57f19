/**
 * gelu(x + bias), the transformer MLP's activation with the bias of the layer before it folded in.
 * 'gelu_new' is GPT-2's tanh approximation 0.5 z (1 + tanh(sqrt(2/pi) (z + 0.044715 z^3))),
 * written as z sigmoid(2 sqrt(2/pi) (...)): the same function, and wasm's sigmoid is vectorised;
 * 'gelu' is the exact erf form. Fused where the backend registers BIAS_GELU_KERNEL (webgpu: one
 * dispatch forward, two backward); elsewhere the reference.
 */
import * as tf from '@tensorflow/tfjs-core';
import { BIAS_GELU_KERNEL, hasFusedKernel } from './fused-kernel-names';

export type GeluActivation = 'gelu_new' | 'gelu';

/** 2 sqrt(2/pi): 0.5 (1 + tanh(z)) = sigmoid(2z). */
const TWO_SQRT_2_OVER_PI = 2 * Math.sqrt(2 / Math.PI);

/** x: [N, F]; bias: [F]. */
export function biasGelu(x: tf.Tensor2D, bias: tf.Tensor1D, activation: GeluActivation): tf.Tensor2D {
  if (hasFusedKernel(BIAS_GELU_KERNEL, { x: x.shape, bias: bias.shape }, { activation })) {
    return tf.engine().runKernel(BIAS_GELU_KERNEL, { x, bias }, { activation }) as tf.Tensor2D;
  }
  return biasGeluReference(x, bias, activation);
}

/** gelu without a bias, in tfjs ops (the reference, and what non-fused backends run). */
export function gelu<T extends tf.Tensor>(z: T, activation: GeluActivation): T {
  return tf.tidy(() => {
    if (activation === 'gelu') return tf.mul(tf.mul(z, 0.5), tf.add(tf.erf(tf.mul(z, Math.SQRT1_2)), 1)) as T;
    const inner = tf.mul(tf.add(z, tf.mul(tf.mul(tf.mul(z, z), z), 0.044715)), TWO_SQRT_2_OVER_PI);
    return tf.mul(z, tf.sigmoid(inner)) as T;
  });
}

/** The unfused composition: gelu(x + bias). */
export function biasGeluReference(x: tf.Tensor2D, bias: tf.Tensor1D, activation: GeluActivation): tf.Tensor2D {
  return tf.tidy(() => gelu(tf.add(x, bias), activation));
}
