/**
 * Two registrations of the wasm kernels that can be swapped at run time, for A/B timings in one
 * process (ab-kernels.ts): `before` is the fix set as it stood before the CPU-speed work
 * (transpose-first matMul, batched fused bias, segment sum), `after` is applyWasmFixes() now, and
 * `unfused` is `after` without @rewardkit/ops's fused kernels (layer norm, bias + GELU, attention).
 * tfjs looks a kernel up on every op call, so re-registering between steps switches sets.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { applyWasmFixes, applyWasmFixesBeforeCpuSpeed } from '@rewardkit/backend';

export interface KernelSet {
  readonly name: 'before' | 'after' | 'unfused';
  install(): void;
}

/** @rewardkit/ops's fused kernels: absent in `before` and `unfused`, so the ops run their tfjs compositions. */
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
export function captureKernelSets(): { before: KernelSet; after: KernelSet; unfused: KernelSet } {
  const stock = snapshot();
  applyWasmFixesBeforeCpuSpeed();
  const before = snapshot();
  restore(stock);
  applyWasmFixes();
  const after = snapshot();
  // `after` without the fused kernels: what the fused layer norm / GELU / attention alone buy
  const unfused = new Map([...after].map(([n, c]) => [n, FUSED.includes(n) ? undefined : c]));
  return {
    before: { name: 'before', install: () => restore(before) },
    after: { name: 'after', install: () => restore(after) },
    unfused: { name: 'unfused', install: () => restore(unfused) },
  };
}
