import * as tf from '@tensorflow/tfjs-core';

/**
 * AdamW over flat device tensors: the arithmetic of `adamw.ts` (PyTorch's formulation), plus the
 * division by the global count and the global-norm clip folded in, so a step needs no read-back.
 *
 * Per element i, with code[i] 0 = frozen (left as is), 1 = trainable, 2 = trainable and decayed:
 *   norm  = sqrt(normSq) / count                  (normSq = sum of grad^2 over trainable elements)
 *   scale = norm > clipNorm ? clipNorm / norm : 1
 *   g     = grad[i] / count * scale
 *   m'    = beta1 m + (1 - beta1) g
 *   v'    = beta2 v + (1 - beta2) g^2
 *   theta'= theta * (code == 2 ? decay : 1) - lr (m' / bc1) / (sqrt(v' / bc2) + eps)
 *
 * A backend may register a fused kernel under FLAT_ADAMW_KERNEL (webgpu does:
 * packages/backend/src/webgpu-adamw.ts); elsewhere the same formula runs as tfjs ops.
 */
export const FLAT_ADAMW_KERNEL = 'RewardkitFlatAdamW';

/** The kernel's attributes: every scalar of one update, computed on the host in float64. */
export interface FlatAdamWAttrs {
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  /** 1 - lr * weightDecay: the factor decayed elements are multiplied by. */
  readonly decay: number;
  /** Bias corrections 1 - beta^t. */
  readonly bc1: number;
  readonly bc2: number;
  /** The global divisor of the summed gradient (the loss's count, summed over ranks). */
  readonly count: number;
  readonly clipNorm: number;
}

/** Inputs, all float32: theta, m, v, grad, codes [P]; normSq [1]. Outputs [theta', m', v']. */
export interface FlatAdamWInputs {
  readonly theta: tf.Tensor1D;
  readonly m: tf.Tensor1D;
  readonly v: tf.Tensor1D;
  readonly grad: tf.Tensor1D;
  readonly codes: tf.Tensor1D;
  readonly normSq: tf.Tensor1D;
}

export interface FlatAdamWOutputs {
  readonly theta: tf.Tensor1D;
  readonly m: tf.Tensor1D;
  readonly v: tf.Tensor1D;
}

/** Whether the active backend has a fused kernel for the update. */
export function hasFusedAdamW(): boolean {
  return tf.getKernel(FLAT_ADAMW_KERNEL, tf.getBackend()) !== undefined;
}

/** One update; returns new tensors (the inputs are left to the caller to dispose). */
export function flatAdamW(inputs: FlatAdamWInputs, attrs: FlatAdamWAttrs): FlatAdamWOutputs {
  if (hasFusedAdamW()) {
    const out = tf.engine().runKernel(
      FLAT_ADAMW_KERNEL,
      inputs as unknown as tf.NamedTensorMap,
      attrs as unknown as tf.NamedAttrMap,
    ) as unknown as tf.Tensor1D[];
    return { theta: out[0], m: out[1], v: out[2] };
  }
  return flatAdamWOps(inputs, attrs);
}

/** The reference composition in tfjs ops: what runs on cpu/wasm/tensorflow, and what kernels are tested against. */
export function flatAdamWOps(inputs: FlatAdamWInputs, a: FlatAdamWAttrs): FlatAdamWOutputs {
  const { theta, m, v, grad, codes, normSq } = inputs;
  return tf.tidy(() => {
    const norm = tf.div(tf.sqrt(normSq), a.count); // [1]
    const clip = tf.logicalAnd(tf.greater(norm, a.clipNorm), tf.greater(norm, 0));
    const scale = tf.where(clip, tf.div(tf.scalar(a.clipNorm), norm), tf.onesLike(norm)); // [1]
    const g = tf.mul(tf.div(grad, a.count), scale); // [P]
    const trainable = tf.greater(codes, 0); // [P]
    const m1 = tf.add(tf.mul(m, a.beta1), tf.mul(g, 1 - a.beta1));
    const v1 = tf.add(tf.mul(v, a.beta2), tf.mul(tf.mul(g, g), 1 - a.beta2));
    const factor = tf.where(tf.greater(codes, 1), tf.fill(theta.shape, a.decay), tf.onesLike(theta));
    const step = tf.div(tf.mul(tf.div(m1, a.bc1), a.lr), tf.add(tf.sqrt(tf.div(v1, a.bc2)), a.eps));
    const theta1 = tf.sub(tf.mul(theta, factor), step);
    return {
      theta: tf.where(trainable, theta1, theta) as tf.Tensor1D,
      m: tf.where(trainable, m1, m) as tf.Tensor1D,
      v: tf.where(trainable, v1, v) as tf.Tensor1D,
    };
  });
}
