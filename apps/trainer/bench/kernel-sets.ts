/**
 * Two registrations of the wasm kernels that can be swapped at run time, for A/B timings in one
 * process (ab-kernels.ts): `before` is the fix set as it stood before the CPU-speed work
 * (transpose-first matMul, batched fused bias, segment sum), `after` is applyWasmFixes() now, and
 * `fused` is `after` plus the opt-in wasm kernels under @rewardkit/ops's fused names (layer norm,
 * bias + GELU, attention), which applyWasmFixes leaves out, and `stockTile` is `after` with
 * tfjs-wasm's own Tile (to time wasm-tile.ts alone).
 * tfjs looks a kernel up on every op call, so re-registering between steps switches sets.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { applyWasmFixes, applyWasmFixesBeforeCpuSpeed, registerWasmBiasGelu, registerWasmCausalAttention, registerWasmLayerNorm, setWasmSimdKernels, weightGradientOrder } from '@rewardkit/backend';

export const KERNEL_SET_NAMES = ['before', 'after', 'fused', 'stockTile', 'jsLoops'] as const;
export type KernelSetName = (typeof KERNEL_SET_NAMES)[number];

export interface KernelSet {
  readonly name: KernelSetName;
  install(): void;
}

/** @rewardkit/ops's fused kernels: only in `fused`; elsewhere the ops run their tfjs compositions. */
const FUSED = ['RewardkitLayerNorm', 'RewardkitBiasGelu', 'RewardkitCausalAttention', 'RewardkitCausalAttentionPacked'];
/** Kernels any set may replace. */
const NAMES = ['BatchMatMul', '_FusedMatMul', 'Transpose', 'Sum', 'UnsortedSegmentSum', 'GatherV2', 'Tile', ...FUSED];

function snapshot(): Map<string, tf.KernelConfig | undefined> {
  return new Map(NAMES.map((n) => [n, tf.getKernel(n, 'wasm')]));
}

function restore(configs: Map<string, tf.KernelConfig | undefined>, simd = true, swap = true): void {
  setWasmSimdKernels(simd);
  weightGradientOrder.swapWhenCheaper = swap;
  for (const [name, config] of configs) {
    if (tf.getKernel(name, 'wasm')) tf.unregisterKernel(name, 'wasm');
    if (config) tf.registerKernel(config);
  }
}

/** Call before initBackend (which applies the current fixes); leaves `after` installed. */
export function captureKernelSets(): Record<KernelSetName, KernelSet> {
  const stock = snapshot();
  applyWasmFixesBeforeCpuSpeed();
  const before = snapshot();
  restore(stock);
  applyWasmFixes();
  const after = snapshot();
  const stockTile = new Map(after).set('Tile', stock.get('Tile'));
  registerWasmLayerNorm();
  registerWasmBiasGelu();
  registerWasmCausalAttention();
  const fused = snapshot();
  restore(after);
  return {
    before: { name: 'before', install: () => restore(before, false, false) },
    after: { name: 'after', install: () => restore(after) },
    fused: { name: 'fused', install: () => restore(fused) },
    stockTile: { name: 'stockTile', install: () => restore(stockTile) },
    jsLoops: { name: 'jsLoops', install: () => restore(after, false, false) },
  };
}
