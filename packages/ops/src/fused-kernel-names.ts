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

/**
 * A backend's kernelFunc may carry, under this symbol, a predicate saying which calls it runs
 * fused (`FusedKernelCovers`); the op runs its reference for the others. wasm's SIMD layer norm
 * and bias + GELU cover some widths and activations only, and anything else is faster as the
 * composition of tfjs's kernels than fused in JavaScript (packages/backend/src/wasm-*.ts).
 */
export const FUSED_KERNEL_COVERS = Symbol.for('rewardkit.fusedKernelCovers');
export type FusedKernelCovers = (shapes: Readonly<Record<string, readonly number[]>>, attrs: tf.NamedAttrMap) => boolean;

/** Whether the active backend runs `kernel` fused (for these input shapes and attrs, when given). */
export function hasFusedKernel(kernel: string, shapes?: Readonly<Record<string, readonly number[]>>, attrs: tf.NamedAttrMap = {}): boolean {
  const config = tf.getKernel(kernel, tf.getBackend());
  if (config === undefined) return false;
  const covers = (config.kernelFunc as unknown as { [FUSED_KERNEL_COVERS]?: FusedKernelCovers })[FUSED_KERNEL_COVERS];
  return covers === undefined || shapes === undefined || covers(shapes, attrs);
}
