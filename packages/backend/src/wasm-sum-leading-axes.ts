/**
 * 'Sum' over leading axes on wasm as one pass of column sums: out[c] = sum_r x[r, c].
 *
 * Every bias and LayerNorm gradient sums [B*T, C] over its rows. tfjs-backend-wasm 4.22 reduces
 * only innermost axes, so it first transposes with its slow Transpose kernel: 56 ms per
 * [8192, 256] sum, 15% of a transformer step with 32 such sums (profile-step.ts). A row-major
 * pass in JavaScript over views of the heap reads x once, in order. (A ones-vector matmul through
 * XNNPACK was tried: 0.6 ms when x stays the same tensor, but 15-19 ms for a fresh x, as in
 * training, since XNNPACK repacks its B operand on every new tensor; the column pass took 4 ms
 * there.) The sums run in float32, row after row (within 1e-6 of the cpu backend's, which adds
 * in another order). Reductions over trailing axes (moments, softmax) keep wasm's kernel.
 *
 * Where the columns are a multiple of 4, the same sums (same order, bit-identical) run as a SIMD
 * kernel in the heap (wasm-simd-kernels.ts): 0.07 ms for [8192, 64] and 0.27 ms for [8192, 256]
 * against 1.2 and 5.8 ms for the loop below (2026-12-01); a step makes 32 such sums.
 */
import * as tf from '@tensorflow/tfjs-core';
import { wrapWasmKernel, type BackendWasm, type WasmKernelArgs } from './wasm-kernel-patch';
import { heapOffset } from './wasm-heap-views';
import { simdKernels } from './wasm-simd-kernels';

export const LEADING_SUM = Symbol.for('rewardkit.backend.wasmSumLeadingAxes');

/** p when `axes` are exactly 0..p-1 (in any order) and p < rank; else 0. */
function leadingCount(axes: readonly number[], rank: number): number {
  const sorted = [...new Set(axes)].sort((x, y) => x - y);
  if (sorted.length === 0 || sorted.length >= rank) return 0;
  return sorted.every((a, i) => a === i) ? sorted.length : 0;
}

/** acc[c] = sum over r of x[r * C + c], accumulated in acc's precision, row by row. */
export function columnSums(x: Float32Array, rows: number, cols: number, acc: Float32Array): void {
  acc.fill(0);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let c = 0; c < cols; c++) acc[c] += x[o + c];
  }
}

function leadingByColumns(inner: tf.KernelFunc): tf.KernelFunc {
  return (rawArgs) => {
    const { inputs, backend, attrs } = rawArgs as unknown as WasmKernelArgs;
    const x = inputs.x as tf.TensorInfo;
    if (x.dtype !== 'float32') return inner(rawArgs);
    const axes = tf.util.parseAxisParam(attrs?.axis as number | number[], x.shape);
    const p = leadingCount(axes, x.shape.length);
    if (p === 0) return inner(rawArgs);
    const rows = tf.util.sizeFromShape(x.shape.slice(0, p));
    const cols = tf.util.sizeFromShape(x.shape.slice(p));
    const wasm: BackendWasm = backend;
    const rest = x.shape.slice(p);
    const out = wasm.makeOutput(attrs?.keepDims === true ? [...x.shape.slice(0, p).map(() => 1), ...rest] : rest, 'float32');
    const simd = cols % 4 === 0 ? simdKernels(wasm) : undefined;
    if (simd) {
      const [xAt, outAt] = [heapOffset(wasm, x), heapOffset(wasm, out)];
      (cols % 16 === 0 ? simd.columnSums16 : simd.columnSums4)(xAt, outAt, rows, cols);
      return out;
    }
    // Views only after makeOutput: its malloc may grow the heap and detach older views.
    columnSums(wasm.typedArrayFromHeap(x) as Float32Array, rows, cols, wasm.typedArrayFromHeap(out) as Float32Array);
    return out;
  };
}

/** Wraps wasm's 'Sum' with the column-sum path for leading axes. Idempotent. */
export function applyWasmSumLeadingAxes(): void {
  wrapWasmKernel('Sum', LEADING_SUM, leadingByColumns);
}
