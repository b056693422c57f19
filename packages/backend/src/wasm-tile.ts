/**
 * 'Tile' on wasm as block copies (every broadcastTo, and so Sum's and Mean's gradients once they
 * broadcast dy instead of multiplying by ones: reduce-grads.ts).
 *
 * tfjs-backend-wasm 4.22 tiled a [8192, 1] column to [8192, 64] in 60-90 ms (~150 ns an element,
 * per-element index arithmetic), and [1, 64] to [8192, 64] in 80-100 ms; a transformer step of
 * 32 pairs x 128 tokens made 8 such calls, a quarter of the step. Here each source row is copied
 * once (a run of one value is a fill) and every repetition is a doubling copyWithin of the block
 * already written: memcpy speed, ~1 ms for either shape. Any rank and dtype float32/int32; others
 * keep wasm's kernel. Pure copies: bit-exact.
 *
 * A float32 column repeated along the last axis ([..., 1] by [1, ..., n], n a multiple of 4: the
 * Sum/Mean gradients of layer norm) is a SIMD splat-and-store loop in the heap instead
 * (wasm-simd-kernels.ts): 0.04 ms for [8192, 1] -> [8192, 64] against ~1 ms of fills.
 */
import * as tf from '@tensorflow/tfjs-core';
import { wrapWasmKernel, type BackendWasm, type WasmKernelArgs } from './wasm-kernel-patch';
import { heapOffset } from './wasm-heap-views';
import { simdKernels } from './wasm-simd-kernels';

export const TILE_BLOCKS = Symbol.for('rewardkit.backend.wasmTileBlocks');

type Flat = Float32Array | Int32Array;

/** Repeats dst[start, start + block) `times` times in place after itself, doubling each copy. */
function repeatBlock(dst: Flat, start: number, block: number, times: number): void {
  const total = block * times;
  for (let done = block; done < total; done *= 2) dst.copyWithin(start + done, start, start + Math.min(done, total - done));
}

/** Writes x tiled by `reps` into dst, axis by axis from the outermost. */
function tileInto(src: Flat, shape: readonly number[], reps: readonly number[], dst: Flat): void {
  const rank = shape.length;
  const srcStride = new Array<number>(rank);
  const dstStride = new Array<number>(rank);
  for (let a = rank - 1, s = 1, d = 1; a >= 0; a--) {
    srcStride[a] = s;
    dstStride[a] = d;
    s *= shape[a];
    d *= shape[a] * reps[a];
  }
  const fill = (axis: number, from: number, to: number): void => {
    const n = shape[axis];
    if (axis === rank - 1) {
      if (n === 1) dst.fill(src[from], to, to + reps[axis]);
      else {
        dst.set(src.subarray(from, from + n), to);
        repeatBlock(dst, to, n, reps[axis]);
      }
      return;
    }
    for (let i = 0; i < n; i++) fill(axis + 1, from + i * srcStride[axis], to + i * dstStride[axis]);
    repeatBlock(dst, to, n * dstStride[axis], reps[axis]);
  };
  fill(0, 0, 0);
}

/** [..., 1] repeated n times along the last axis only, n a multiple of 4. */
function isColumnRepeat(shape: readonly number[], reps: readonly number[]): boolean {
  const last = shape.length - 1;
  return shape[last] === 1 && reps[last] % 4 === 0 && reps.every((r, a) => a === last || r === 1);
}

function blockTile(inner: tf.KernelFunc): tf.KernelFunc {
  return (rawArgs) => {
    const { inputs, backend, attrs } = rawArgs as unknown as WasmKernelArgs;
    const x = inputs.x as tf.TensorInfo;
    const reps = attrs?.reps as number[] | undefined;
    if (!reps || reps.length !== x.shape.length || x.shape.length === 0 || (x.dtype !== 'float32' && x.dtype !== 'int32')) return inner(rawArgs);
    const wasm: BackendWasm = backend;
    const out = wasm.makeOutput(x.shape.map((n, a) => n * reps[a]), x.dtype);
    if (tf.util.sizeFromShape(out.shape) === 0) return out;
    const simd = x.dtype === 'float32' && isColumnRepeat(x.shape, reps) ? simdKernels(wasm) : undefined;
    if (simd) {
      simd.fillRows(heapOffset(wasm, x), heapOffset(wasm, out), tf.util.sizeFromShape(x.shape), reps[reps.length - 1]);
      return out;
    }
    // Views only after makeOutput: its malloc may grow the heap and detach older views.
    tileInto(wasm.typedArrayFromHeap(x) as Flat, x.shape, reps, wasm.typedArrayFromHeap(out) as Flat);
    return out;
  };
}

/** Wraps wasm's 'Tile' with the block-copy path. Idempotent. */
export function applyWasmTile(): void {
  wrapWasmKernel('Tile', TILE_BLOCKS, blockTile);
}
