/**
 * 'Sum' over leading axes on wasm as one fast matmul: sum_r x[r, c] = (ones[1, R] x X[R, C])[c].
 *
 * Every bias and LayerNorm gradient sums [B*T, C] over its rows. tfjs-backend-wasm 4.22 reduces
 * only innermost axes, so it first transposes with its slow Transpose kernel: 56 ms per
 * [8192, 256] sum, 15% of a transformer step with 32 such sums (profile-step.ts). The same sum
 * through XNNPACK's matmul (on a view of x, wasm-heap-views.ts) takes 0.6 ms. Reductions over
 * trailing axes (moments, softmax) keep wasm's kernel.
 */
import * as tf from '@tensorflow/tfjs-core';
import { closeView, heapOffset, matMul2d, openView, type HeapView } from './wasm-heap-views';
import { wrapWasmKernel, type BackendWasm, type WasmKernelArgs } from './wasm-kernel-patch';

export const LEADING_SUM = Symbol.for('rewardkit.backend.wasmSumLeadingAxes');

/** p when `axes` are exactly 0..p-1 (in any order) and p < rank; else 0. */
function leadingCount(axes: readonly number[], rank: number): number {
  const sorted = [...new Set(axes)].sort((x, y) => x - y);
  if (sorted.length === 0 || sorted.length >= rank) return 0;
  return sorted.every((a, i) => a === i) ? sorted.length : 0;
}

function leadingAsMatMul(inner: tf.KernelFunc): tf.KernelFunc {
  return (rawArgs) => {
    const { inputs, backend, attrs } = rawArgs as unknown as WasmKernelArgs;
    const x = inputs.x as tf.TensorInfo;
    if (x.dtype !== 'float32') return inner(rawArgs);
    const axes = tf.util.parseAxisParam(attrs?.axis as number | number[], x.shape);
    const p = leadingCount(axes, x.shape.length);
    const R = tf.util.sizeFromShape(x.shape.slice(0, p));
    const C = tf.util.sizeFromShape(x.shape.slice(p));
    if (p === 0 || R === 0 || C === 0) return inner(rawArgs);
    const wasm: BackendWasm = backend;
    const rest = x.shape.slice(p);
    const out = wasm.makeOutput(attrs?.keepDims === true ? [...x.shape.slice(0, p).map(() => 1), ...rest] : rest, 'float32');
    const ones = wasm.makeOutput([1, R], 'float32');
    (wasm.typedArrayFromHeap(ones) as Float32Array).fill(1);
    const views: HeapView[] = [];
    try {
      views.push(openView(wasm, heapOffset(wasm, x), [R, C]), openView(wasm, heapOffset(wasm, out), [1, C]));
      matMul2d(wasm, { id: wasm.dataIdMap.get(ones.dataId)!.id, info: ones }, views[0], views[1], 1, R, C);
    } catch (err) {
      wasm.disposeData(out.dataId);
      throw err;
    } finally {
      for (const v of views) closeView(wasm, v);
      wasm.disposeData(ones.dataId);
    }
    return out;
  };
}

/** Wraps wasm's 'Sum' with the matmul path for leading axes. Idempotent. */
export function applyWasmSumLeadingAxes(): void {
  wrapWasmKernel('Sum', LEADING_SUM, leadingAsMatMul);
}
