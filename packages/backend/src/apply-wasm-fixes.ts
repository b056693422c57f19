/**
 * The one place the wasm kernel patches are registered. Each patch lives in its own file with
 * the measurement that justifies it; `initBackend` calls this after choosing wasm.
 */
// Imported for its side effect: it registers the wasm kernels that the patches wrap or complete.
import '@tensorflow/tfjs-backend-wasm';
import { applyWasmTransposeFirstMatMul } from './wasm-batch-matmul';
import { applyWasmFusedMatMulBias } from './wasm-fused-matmul-bias';
import { applyWasmUnsortedSegmentSum } from './wasm-unsorted-segment-sum';

/**
 * Registers every wasm patch; idempotent. Works before or after `tf.setBackend('wasm')`.
 * Returns one short label per patch in place, for `BackendInfo.fixes` and the log line.
 */
export function applyWasmFixes(): string[] {
  const fixes: string[] = [];
  const wrapped = applyWasmTransposeFirstMatMul();
  fixes.push(`transpose-first ${wrapped.join('/')}`);
  applyWasmFusedMatMulBias();
  fixes.push('_FusedMatMul batched bias');
  if (applyWasmUnsortedSegmentSum()) fixes.push('UnsortedSegmentSum kernel');
  return fixes;
}
