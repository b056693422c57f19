/**
 * Batched matmul on wasm as a loop of fast 2-D matmuls.
 *
 * tfjs-backend-wasm 4.22 sends every BatchMatMul with a batch dimension through a naive C++
 * loop: attention's QK^T and AV ([B*H, T, D] x [B*H, D, T] and back) ran at 1.4 GFLOP/s and
 * took 62% of a 2-layer transformer step (apps/trainer/bench/profile-step.ts). The same 128
 * products called one at a time through its XNNPACK path run at 16 GFLOP/s. This kernel does
 * that on zero-copy views of each matrix (wasm-heap-views.ts):
 * - a batch of matrices times one shared B ([batch, m, k] x [1, k, n]) is a single [batch*m, k]
 *   x [k, n] product: the rows are already contiguous;
 * - otherwise one 2-D product per batch entry, each written in place into the output;
 * - shared A with a batch of B loops too (A's view is reused, B's is fresh each time).
 * Transposed operands reach it already materialized (wasm-batch-matmul.ts wraps this kernel).
 * The order of the sums inside each product is XNNPACK's, as for any unbatched matMul on wasm.
 */
import * as tf from '@tensorflow/tfjs-core';
import { closeView, heapOffset, matMul2d, openView, type HeapView } from './wasm-heap-views';
import { wrapWasmKernel, type BackendWasm, type WasmKernelArgs } from './wasm-kernel-patch';

export const BATCH_LOOP = Symbol.for('rewardkit.backend.wasmBatchLoopMatMul');

function batchLoop(inner: tf.KernelFunc): tf.KernelFunc {
  return (rawArgs) => {
    const args = rawArgs as unknown as WasmKernelArgs;
    const attrs = args.attrs ?? {};
    const a = args.inputs.a as tf.TensorInfo;
    const b = args.inputs.b as tf.TensorInfo;
    if (attrs.transposeA === true || attrs.transposeB === true || a.dtype !== 'float32' || b.dtype !== 'float32') return inner(rawArgs);
    if (a.shape.length < 2 || b.shape.length < 2) return inner(rawArgs);
    const [m, k] = a.shape.slice(-2);
    const [k2, n] = b.shape.slice(-2);
    const batchA = tf.util.sizeFromShape(a.shape.slice(0, -2));
    const batchB = tf.util.sizeFromShape(b.shape.slice(0, -2));
    const batch = Math.max(batchA, batchB);
    // Single products are already fast; shapes wasm cannot broadcast (or empty ones) keep its errors.
    if (batch <= 1 || k !== k2 || (batchA !== batchB && batchA !== 1 && batchB !== 1) || m * k * n === 0) return inner(rawArgs);
    const outerDims = tf.backend_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
    const backend: BackendWasm = args.backend;
    const out = backend.makeOutput([...outerDims, m, n], 'float32');
    const [aBase, bBase, outBase] = [heapOffset(backend, a), heapOffset(backend, b), heapOffset(backend, out)];
    const views: HeapView[] = [];
    const view = (byteOffset: number, shape: number[]) => {
      const v = openView(backend, byteOffset, shape);
      views.push(v);
      return v;
    };
    try {
      if (batchB === 1) {
        // [batch*m, k] x [k, n]: one product over contiguous rows
        matMul2d(backend, view(aBase, [batch * m, k]), view(bBase, [k, n]), view(outBase, [batch * m, n]), batch * m, k, n);
      } else {
        const shared = batchA === 1 ? view(aBase, [m, k]) : undefined;
        for (let i = 0; i < batch; i++) {
          const ai = shared ?? view(aBase + 4 * i * m * k, [m, k]);
          matMul2d(backend, ai, view(bBase + 4 * i * k * n, [k, n]), view(outBase + 4 * i * m * n, [m, n]), m, k, n);
          // release this entry's views now: thousands a step otherwise pile up until the end
          while (views.length > (shared ? 1 : 0)) closeView(backend, views.pop()!);
        }
      }
    } catch (err) {
      backend.disposeData(out.dataId);
      throw err;
    } finally {
      for (const v of views) closeView(backend, v);
    }
    return out;
  };
}

/**
 * Wraps wasm's 'BatchMatMul' with the loop of fast 2-D products. Idempotent. Apply before the
 * transpose-first fix, which then wraps this one (transposed operands arrive materialized).
 */
export function applyWasmBatchLoopMatMul(): void {
  wrapWasmKernel('BatchMatMul', BATCH_LOOP, batchLoop);
}
