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
 * - shared A with a batch of B loops too;
 * - batches that broadcast axis by axis ([2, 1] against [1, 2]: same size, other layout) map
 *   each output entry to its A and B entries (wasm's own kernel pairs them up wrongly and leaves
 *   half the output unwritten; found in review 2026-12-01);
 * - k = 0 is a product of zeros (XNNPACK leaves its output uninitialised).
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

/**
 * For each entry of the product's batch (outer dims), the entry of a's and of b's batch it takes:
 * numpy broadcasting, a size-1 axis repeated. Undefined when each operand's batch either is the
 * product's, laid out the same, or is a single matrix (the strided paths).
 */
function broadcastEntries(aOuter: number[], bOuter: number[], outer: number[]): { a: number[]; b: number[] } | undefined {
  const batch = tf.util.sizeFromShape(outer);
  const [batchA, batchB] = [tf.util.sizeFromShape(aOuter), tf.util.sizeFromShape(bOuter)];
  if ((batchA === batch || batchA === 1) && (batchB === batch || batchB === 1)) return undefined;
  const index = (dims: number[]) => {
    const padded = [...new Array<number>(outer.length - dims.length).fill(1), ...dims];
    const strides = padded.map((_, i) => tf.util.sizeFromShape(padded.slice(i + 1)));
    return Array.from({ length: batch }, (_, e) => {
      let at = 0;
      for (let i = outer.length - 1, rest = e; i >= 0; i--) {
        const coord = rest % outer[i]!;
        rest = Math.floor(rest / outer[i]!);
        if (padded[i] !== 1) at += coord * strides[i]!;
      }
      return at;
    });
  };
  return { a: index(aOuter), b: index(bOuter) };
}

function batchLoop(inner: tf.KernelFunc): tf.KernelFunc {
  return (rawArgs) => {
    const args = rawArgs as unknown as WasmKernelArgs;
    const attrs = args.attrs ?? {};
    const a = args.inputs.a as tf.TensorInfo;
    const b = args.inputs.b as tf.TensorInfo;
    if (attrs.transposeA === true || attrs.transposeB === true || a.dtype !== 'float32' || b.dtype !== 'float32') return inner(rawArgs);
    if (a.shape.length < 2 || b.shape.length < 2) return inner(rawArgs);
    const [m, k] = a.shape.slice(-2) as [number, number];
    const [k2, n] = b.shape.slice(-2) as [number, number];
    const [aOuter, bOuter] = [a.shape.slice(0, -2), b.shape.slice(0, -2)];
    let outerDims: number[];
    try {
      outerDims = tf.backend_util.assertAndGetBroadcastShape(aOuter, bOuter);
    } catch {
      return inner(rawArgs); // shapes that do not broadcast: wasm's own error
    }
    if (k !== k2) return inner(rawArgs);
    const wasm: BackendWasm = args.backend;
    const batchA = tf.util.sizeFromShape(aOuter);
    const batchB = tf.util.sizeFromShape(bOuter);
    const batch = tf.util.sizeFromShape(outerDims);
    // an empty product: nothing to compute (XNNPACK refuses to create the operator: status 2)
    if (batch * m * n === 0) return wasm.makeOutput([...outerDims, m, n], 'float32');
    if (k === 0) {
      // wasm's kernel (XNNPACK) returns uninitialised memory here; an empty sum is 0
      const zeros = wasm.makeOutput([...outerDims, m, n], 'float32');
      (wasm.typedArrayFromHeap(zeros) as Float32Array).fill(0);
      return zeros;
    }
    // Batches of equal size laid out differently ([2, 1] against [1, 2]) broadcast entry by entry:
    // wasm's own kernel (and the strided paths) would pair entries up wrongly and leave half unwritten.
    const entries = broadcastEntries(aOuter, bOuter, outerDims);
    const simd = simdFits(k, n) ? simdKernels(wasm) : undefined;
    if (simd) {
      const out = wasm.makeOutput([...outerDims, m, n], 'float32');
      const [aAt, bAt, outAt] = [heapOffset(wasm, a), heapOffset(wasm, b), heapOffset(wasm, out)];
      if (entries) {
        for (let e = 0; e < batch; e++) simdMatMul(simd, aAt + 4 * entries.a[e]! * m * k, bAt + 4 * entries.b[e]! * k * n, outAt + 4 * e * m * n, m, k, n, 1, 0, 0, 0);
      } else if (batchB === 1) {
        simdMatMul(simd, aAt, bAt, outAt, batch * m, k, n, 1, 0, 0, 0); // shared B: one product over the batch's contiguous rows
      } else {
        simdMatMul(simd, aAt, bAt, outAt, m, k, n, batch, batchA === 1 ? 0 : 4 * m * k, 4 * k * n, 4 * m * n); // one per entry (a shared A re-read)
      }
      return out;
    }
    // Single products are already fast.
    if (batch <= 1) return inner(rawArgs);
    const out = wasm.makeOutput([...outerDims, m, n], 'float32');
    const [aBase, bBase, outBase] = [heapOffset(wasm, a), heapOffset(wasm, b), heapOffset(wasm, out)];
    const views: HeapView[] = [];
    const view = (byteOffset: number, shape: number[]) => {
      const v = openView(wasm, byteOffset, shape);
      views.push(v);
      return v;
    };
    try {
      if (batchB === 1 && entries === undefined) {
        // [batch*m, k] x [k, n]: one product over contiguous rows
        matMul2d(wasm, view(aBase, [batch * m, k]), view(bBase, [k, n]), view(outBase, [batch * m, n]), batch * m, k, n);
      } else {
        const aEntry = (e: number) => (entries ? entries.a[e]! : batchA === 1 ? 0 : e);
        const bEntry = (e: number) => (entries ? entries.b[e]! : e);
        for (let e = 0; e < batch; e++) {
          matMul2d(wasm, view(aBase + 4 * aEntry(e) * m * k, [m, k]), view(bBase + 4 * bEntry(e) * k * n, [k, n]), view(outBase + 4 * e * m * n, [m, n]), m, k, n);
          // release this entry's views now: thousands a step otherwise pile up until the end
          while (views.length > 0) closeView(wasm, views.pop()!);
        }
      }
    } catch (err) {
      wasm.disposeData(out.dataId);
      throw err;
    } finally {
      for (const v of views) closeView(wasm, v);
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
