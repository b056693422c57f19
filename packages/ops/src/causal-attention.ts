/**
 * Causal multi-head self-attention with key padding, as GPT-2 computes it: for each row b, head h
 * and query i, softmax over keys j <= min(i, lengths[b] - 1) of q_i . k_j / sqrt(D), applied to v.
 * Every query sees key 0, so no softmax row is empty; queries in the padding see the real tokens
 * only, so padding never changes a real position.
 *
 * Fused where the backend registers CAUSAL_ATTENTION_KERNEL (webgpu: one dispatch forward, four
 * backward, no T x T tensor; packages/backend/src/webgpu-causal-attention.ts); elsewhere the
 * reference below, whose mask is built on the device from the lengths (no host T x T array).
 */
import * as tf from '@tensorflow/tfjs-core';
import { CAUSAL_ATTENTION_KERNEL, CAUSAL_ATTENTION_PACKED_KERNEL, hasFusedKernel } from './fused-kernel-names';

/** Added to masked logits: exp underflows to exactly 0 and, unlike -Infinity, never makes NaN. */
const MASKED_LOGIT = -1e9;

export interface AttentionShape {
  /** T: positions per sequence; q, k, v hold B*T rows. */
  readonly width: number;
  readonly heads: number;
}

/**
 * q, k, v: [B*T, C] (head h in columns h*D..h*D+D-1, D = C / heads); lengths: [B] int32, each
 * 1..T. Returns [B*T, C] in the same layout.
 */
export function causalAttention(q: tf.Tensor2D, k: tf.Tensor2D, v: tf.Tensor2D, lengths: tf.Tensor1D, shape: AttentionShape): tf.Tensor2D {
  if (hasFusedKernel(CAUSAL_ATTENTION_KERNEL)) {
    return tf.engine().runKernel(CAUSAL_ATTENTION_KERNEL, { q, k, v, lengths }, { ...shape } as unknown as tf.NamedAttrMap) as tf.Tensor2D;
  }
  return causalAttentionReference(q, k, v, lengths, shape);
}

/**
 * The same with q, k, v packed as column blocks of one [B*T, 3C] tensor, as GPT-2's c_attn computes
 * them in one matMul: fused, the kernel reads the blocks in place (no split, one matMul instead of
 * three); elsewhere it splits and runs the reference.
 */
export function causalAttentionPacked(qkv: tf.Tensor2D, lengths: tf.Tensor1D, shape: AttentionShape): tf.Tensor2D {
  if (hasFusedKernel(CAUSAL_ATTENTION_PACKED_KERNEL)) {
    return tf.engine().runKernel(CAUSAL_ATTENTION_PACKED_KERNEL, { qkv, lengths }, { ...shape } as unknown as tf.NamedAttrMap) as tf.Tensor2D;
  }
  return tf.tidy(() => {
    const [q, k, v] = tf.split(qkv, 3, 1) as tf.Tensor2D[];
    return causalAttentionReference(q as tf.Tensor2D, k as tf.Tensor2D, v as tf.Tensor2D, lengths, shape);
  });
}

/** [B, 1, T, T]: 0 where query i may see key j, else MASKED_LOGIT; constant (no gradient). */
export function paddedCausalBias(lengths: tf.Tensor1D, width: number): tf.Tensor4D {
  return tf.tidy(() => {
    const B = lengths.shape[0];
    const i = tf.reshape(tf.range(0, width, 1, 'int32'), [1, width, 1]);
    const j = tf.reshape(tf.range(0, width, 1, 'int32'), [1, 1, width]);
    const len = tf.reshape(lengths, [B, 1, 1]);
    const visible = tf.logicalAnd(tf.lessEqual(j, i), tf.less(j, len)); // [B, T, T]
    return tf.reshape(tf.where(visible, tf.scalar(0), tf.scalar(MASKED_LOGIT)), [B, 1, width, width]);
  });
}

/** The unfused composition in tfjs ops: what non-fused backends run and what kernels are tested against. */
export function causalAttentionReference(q: tf.Tensor2D, k: tf.Tensor2D, v: tf.Tensor2D, lengths: tf.Tensor1D, shape: AttentionShape): tf.Tensor2D {
  return tf.tidy(() => {
    const { width: T, heads: H } = shape;
    const [N, C] = q.shape;
    const B = N / T;
    const D = C / H;
    const split = (t: tf.Tensor2D, perm: number[]) => tf.transpose(tf.reshape(t, [B, T, H, D]), perm);
    const qh = split(q, [0, 2, 1, 3]); // [B, H, T, D]
    const kt = split(k, [0, 2, 3, 1]); // [B, H, D, T]
    const vh = split(v, [0, 2, 1, 3]); // [B, H, T, D]
    const logits = tf.add(tf.mul(tf.matMul(qh, kt), 1 / Math.sqrt(D)), paddedCausalBias(lengths, T)); // [B, H, T, T]
    const y = tf.transpose(tf.matMul(tf.softmax(logits), vh), [0, 2, 1, 3]); // [B, T, H, D]
    return tf.reshape(y, [N, C]);
  });
}
