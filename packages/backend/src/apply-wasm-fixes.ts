/**
 * The one place the wasm kernel patches are registered. Each patch lives in its own file with
 * the measurement that justifies it; `initBackend` calls this after choosing wasm.
 */
// Imported for its side effect: it registers the wasm kernels that the patches wrap or complete.
import '@tensorflow/tfjs-backend-wasm';
import { applyWasmBatchLoopMatMul } from './wasm-batch-loop-matmul';
import { applyWasmTransposeFirstMatMul } from './wasm-batch-matmul';
import { applyWasmFusedMatMulBias } from './wasm-fused-matmul-bias';
import { applyWasmGatherRows } from './wasm-gather-rows';
import { applyWasmSharedIdentity } from './wasm-identity-shared';
import { applyWasmSumLeadingAxes } from './wasm-sum-leading-axes';
import { applyWasmTile } from './wasm-tile';
import { applyWasmTransposeLastTwo } from './wasm-transpose-last-two';
import { applyWasmUnsortedSegmentSum } from './wasm-unsorted-segment-sum';
import { registerWasmBiasGelu } from './wasm-bias-gelu';
import { registerWasmLayerNorm } from './wasm-layer-norm';
import { fusedKernelsWanted } from './webgpu-fused-switch';

/**
 * Registers every wasm patch; idempotent. Works before or after `tf.setBackend('wasm')`.
 * Returns one short label per patch in place, for `BackendInfo.fixes` and the log line.
 */
export function applyWasmFixes(): string[] {
  const fixes: string[] = [];
  // Order matters: transpose-first wraps the batch loop, and materializes with the fast Transpose.
  applyWasmTransposeLastTwo();
  fixes.push('Transpose last-two blocked');
  applyWasmBatchLoopMatMul();
  fixes.push('BatchMatMul batch loop');
  const wrapped = applyWasmTransposeFirstMatMul();
  fixes.push(`transpose-first ${wrapped.join('/')}`);
  applyWasmFusedMatMulBias();
  fixes.push('_FusedMatMul batched bias');
  applyWasmSumLeadingAxes();
  fixes.push('Sum leading axes by columns');
  applyWasmGatherRows();
  fixes.push('GatherV2 rows');
  applyWasmTile();
  fixes.push('Tile block copies');
  applyWasmSharedIdentity();
  fixes.push('Identity/Cast share buffers');
  if (applyWasmUnsortedSegmentSum()) fixes.push('UnsortedSegmentSum kernel');
  // The fused layer norm and bias + GELU under @rewardkit/ops's names, now that their passes are
  // SIMD kernels in the heap (wasm-simd-kernels.ts): a transformer step 1.15x faster wall, 1.17x
  // less CPU, paired (2026-12-01, ab-kernels --pair=unfusedNorm,after). In JavaScript they had
  // measured slower than the tfjs composition (~8 ns an element against 1-2 for XNNPACK's ops).
  // REWARDKIT_FUSED_KERNELS=0 leaves them out, as it does the webgpu ones (a whole run's A/B).
  if (fusedKernelsWanted()) fixes.push(registerWasmLayerNorm(), registerWasmBiasGelu());
  // Not here: the fused attention (wasm-causal-attention.ts): its JavaScript softmax and transposes
  // cancel what fewer kernels save. registerWasmCausalAttention opts in.
  return fixes;
}

/**
 * The fix set as it stood before the CPU-speed kernels (issue 12): transpose-first matMul,
 * batched fused bias, segment sum. Only for A/B timings in one process (apps/trainer/bench/
 * ab-kernels.ts), on a registry whose wasm kernels are stock.
 */
export function applyWasmFixesBeforeCpuSpeed(): void {
  applyWasmTransposeFirstMatMul();
  applyWasmFusedMatMulBias();
  applyWasmUnsortedSegmentSum();
}
