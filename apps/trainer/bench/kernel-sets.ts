/**
 * Two registrations of the wasm kernels that can be swapped at run time, for A/B timings in one
 * process (ab-kernels.ts): `before` is the fix set as it stood before the CPU-speed work
 * (transpose-first matMul, batched fused bias, segment sum), `after` is applyWasmFixes() now, and
 * `fused` is `after` plus the opt-in wasm kernels under @rewardkit/ops's fused names (layer norm,
 * bias + GELU, attention), which applyWasmFixes leaves out.
 * tfjs looks a kernel up on every op call, so re-registering between steps switches sets.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { applyWasmFixes, applyWasmFixesBeforeCpuSpeed, registerWasmBiasGelu, registerWasmCausalAttention, registerWasmLayerNorm } from '@rewardkit/backend';

export interface KernelSet {
  readonly name: 'before' | 'after' | 'fused';
  install(): void;
}

/** @rewardkit/ops's fused kernels: only in `fused`; elsewhere the ops run their tfjs compositions. */
const FUSED = ['RewardkitLayerNorm', 'RewardkitBiasGelu', 'RewardkitCausalAttention', 'RewardkitCausalAttentionPacked'];
/** Kernels any set may replace. */
const NAMES = ['BatchMatMul', '_FusedMatMul', 'Transpose', 'Sum', 'UnsortedSegmentSum', 'GatherV2', ...FUSED];

function snapshot(): Map<string, tf.KernelConfig | undefined> {
  return new Map(NAMES.map((n) => [n, tf.getKernel(n, 'wasm')]));
}

function restore(configs: Map<string, tf.KernelConfig | undefined>): void {
  for (const [name, config] of configs) {
    if (tf.getKernel(name, 'wasm')) tf.unregisterKernel(name, 'wasm');
    if (config) tf.registerKernel(config);
  }
}

/** Call before initBackend (which applies the current fixes); leaves `after` installed. */
export function captureKernelSets(): { before: KernelSet; after: KernelSet; fused: KernelSet } {
  const stock = snapshot();
  applyWasmFixesBeforeCpuSpeed();
  const before = snapshot();
  restore(stock);
  applyWasmFixes();
  const after = snapshot();
  registerWasmLayerNorm();
  registerWasmBiasGelu();
  registerWasmCausalAttention();
  const fused = snapshot();
  restore(after);
  return {
    before: { name: 'before', install: () => restore(before) },
    after: { name: 'after', install: () => restore(after) },
    fused: { name: 'fused', install: () => restore(fused) },
  };
}
