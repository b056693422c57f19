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
 *
 * Where B is small (k x n <= 64K floats, n <= 256: every product of the transformer step but the
 * K = tokens weight gradients) the whole call, batched or not, runs as SIMD kernels in the heap
 * instead (wasm-simd-gemm.ts: 4x8 register tiles and narrower ones for the edges, B read in place,
 * no operator to create or operand to pack). Measured 2026-12-01 against this loop / XNNPACK:
 * attention's 64 x [128, 128] x [128, 32] 1.37 vs 5.0 ms, [8192, 64] x [64, 64] 1.35 vs 2.0 ms,
 * [8192, 64] x [64, 256] 6.2 vs 7.9 ms; XNNPACK stays faster for large B (1024^3: 35 vs 13.5
 * GFLOP/s, B's columns then thrash the cache). Its sums run over k in order with a separate
 * multiply and add, as XNNPACK's wasm kernel does: the outputs matched it bit for bit.
 */
import * as tf from '@tensorflow/tfjs-core';
import { closeView, heapOffset, matMul2d, openView, type HeapView } from './wasm-heap-views';
import { wrapWasmKernel, type BackendWasm, type WasmKernelArgs } from './wasm-kernel-patch';
import { simdMatMul } from './wasm-simd-gemm';
import { simdKernels } from './wasm-simd-kernels';

/** B operands up to this many floats (256 KB) stay in cache while the SIMD kernel reads them in place. */
const SIMD_MAX_B = 65536;
const SIMD_MAX_N = 256;

function simdFits(k: number, n: number): boolean {
  return n <= SIMD_MAX_N && k * n <= SIMD_MAX_B;
}

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
    const broadcastable = batchA === batchB || batchA === 1 || batchB === 1;
    const simd = k === k2 && broadcastable && m * k * n > 0 && simdFits(k, n) ? simdKernels(args.backend) : undefined;
    if (simd) {
      const wasm: BackendWasm = args.backend;
      const outerDims = tf.backend_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
      const out = wasm.makeOutput([...outerDims, m, n], 'float32');
      const [aAt, bAt, outAt] = [heapOffset(wasm, a), heapOffset(wasm, b), heapOffset(wasm, out)];
      // shared B: one product over the batch's contiguous rows; else one per entry (a shared A re-read)
      if (batchB === 1) simdMatMul(simd, aAt, bAt, outAt, batch * m, k, n, 1, 0, 0, 0);
      else simdMatMul(simd, aAt, bAt, outAt, m, k, n, batch, batchA === 1 ? 0 : 4 * m * k, 4 * k * n, 4 * m * n);
      return out;
    }
    // Single products are already fast; shapes wasm cannot broadcast (or empty ones) keep its errors.
    if (batch <= 1 || k !== k2 || !broadcastable || m * k * n === 0) return inner(rawArgs);
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
