/**
 * Registrations of the wasm kernels that can be swapped at run time, for A/B timings in one
 * process (ab-kernels.ts):
 * - `before`: the fix set as it stood before the CPU-speed work (transpose-first matMul, batched
 *   fused bias, segment sum);
 * - `after`: applyWasmFixes() now;
 * - `fused`: `after` plus the opt-in wasm attention under @rewardkit/ops's fused name;
 * - `stockTile`: `after` with tfjs-wasm's own Tile (to time wasm-tile.ts alone);
 * - `jsLoops`: `after` as it stood before the SIMD heap kernels of 2026-12-01 (transpose, column
 *   sums and column fill in JavaScript, every product through XNNPACK, A^T B transposing A
 *   first, layer norm and bias + GELU composed from tfjs ops);
 * - `unfusedNorm`: `after` with only layer norm and bias + GELU composed again.
 * tfjs looks a kernel up on every op call, so re-registering between steps switches sets.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { applyWasmFixes, applyWasmFixesBeforeCpuSpeed, registerWasmCausalAttention, setWasmSimdKernels, weightGradientOrder } from '@rewardkit/backend';

export const KERNEL_SET_NAMES = ['before', 'after', 'fused', 'stockTile', 'jsLoops', 'unfusedNorm'] as const;
export type KernelSetName = (typeof KERNEL_SET_NAMES)[number];

export interface KernelSet {
  readonly name: KernelSetName;
  install(): void;
}

/** @rewardkit/ops's fused kernels: where a set lacks one, the op runs its tfjs composition. */
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
  // applyWasmFixes registers the SIMD layer norm and bias + GELU; without them the ops compose
  const unfusedNorm = new Map(after).set('RewardkitLayerNorm', undefined).set('RewardkitBiasGelu', undefined);
  registerWasmCausalAttention();
  const fused = snapshot();
  restore(after);
  return {
    before: { name: 'before', install: () => restore(before, false, false) },
    after: { name: 'after', install: () => restore(after) },
    fused: { name: 'fused', install: () => restore(fused) },
    stockTile: { name: 'stockTile', install: () => restore(stockTile) },
    jsLoops: { name: 'jsLoops', install: () => restore(unfusedNorm, false, false) },
    unfusedNorm: { name: 'unfusedNorm', install: () => restore(unfusedNorm) },
  };
}
