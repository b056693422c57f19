/**
 * Names of the fused kernels a backend may register for the ops in this package (as tfjs-core's
 * kernel_names.ts names its own). An op runs the kernel when the active backend has one under its
 * name and otherwise its reference composition of tfjs ops, so a model calls one function on every
 * backend. The webgpu kernels (packages/backend/src/webgpu-*.ts) repeat these strings, since the
 * backend may not import this package; their specs check each kernel against the reference here.
 */
import * as tf from '@tensorflow/tfjs-core';

export const CAUSAL_ATTENTION_KERNEL = 'RewardkitCausalAttention';
/** The same attention reading q, k, v from one packed [B*T, 3C] tensor (c_attn's output). */
export const CAUSAL_ATTENTION_PACKED_KERNEL = 'RewardkitCausalAttentionPacked';
export const LAYER_NORM_KERNEL = 'RewardkitLayerNorm';
export const BIAS_GELU_KERNEL = 'RewardkitBiasGelu';
/** The Bradley-Terry loss head: the weighted sum of per-pair losses (bradley-terry-loss.ts). */
export const BRADLEY_TERRY_LOSS_KERNEL = 'RewardkitBradleyTerryLoss';

/** Whether the active backend runs `kernel` fused. */
export function hasFusedKernel(kernel: string): boolean {
  return tf.getKernel(kernel, tf.getBackend()) !== undefined;
}
