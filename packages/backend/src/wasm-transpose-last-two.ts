/**
 * Fast 'Transpose' on wasm for the one permutation every matmul gradient needs: swapping the
 * last two axes ([..., r, c] -> [..., c, r]).
 *
 * tfjs-backend-wasm 4.22's Transpose took 22 ms for a [8192, 64] float32 matrix (44 ns an
 * element); the transpose-first matmul fix (wasm-batch-matmul.ts) pays it for every weight
 * gradient x^T dy of a transformer step. A cache-blocked loop in JavaScript over views of the heap
 * takes 3.4 ms. Other permutations (attention's head split, [0, 2, 1, 3]) stay wasm's.
 *
 * Where both sides are multiples of 4 (every transformer shape), a SIMD kernel in the heap
 * (wasm-simd-kernels.ts, 4x4 shuffles in row blocks) does it at memcpy speed instead: 0.11 ms
 * for [8192, 64] and 0.73 ms for [8192, 256] against 1.7 and 5.2 ms for the loop below (hot
 * caches, 2026-12-01). Both move the same bits.
 */
import * as tf from '@tensorflow/tfjs-core';
import { wrapWasmKernel, type BackendWasm, type WasmKernelArgs } from './wasm-kernel-patch';
import { heapOffset } from './wasm-heap-views';
import { simdKernels } from './wasm-simd-kernels';

export const LAST_TWO_TRANSPOSE = Symbol.for('rewardkit.backend.wasmTransposeLastTwo');

/**
 * Square tiles, written one contiguous destination row at a time. The other order (contiguous
 * reads, destination stride = rows) put every write of a tile into one L1 set when rows is a
 * power of two: 3-4x slower on [8192, 64] and [8192, 256] (12 and 56 ms against 3.4 and 14).
 */
const TILE = 16;

function swapsLastTwo(perm: readonly number[]): boolean {
  const r = perm.length;
  if (r < 2 || perm[r - 2] !== r - 1 || perm[r - 1] !== r - 2) return false;
  for (let i = 0; i < r - 2; i++) if (perm[i] !== i) return false;
  return true;
}

/** dst[b, j, i] = src[b, i, j] for `batch` matrices of [rows, cols]. */
export function transposeLastTwo(src: Float32Array | Int32Array, dst: Float32Array | Int32Array, batch: number, rows: number, cols: number): void {
  const size = rows * cols;
  for (let b = 0; b < batch; b++) {
    const base = b * size;
    for (let i0 = 0; i0 < rows; i0 += TILE) {
      const i1 = Math.min(i0 + TILE, rows);
      for (let j0 = 0; j0 < cols; j0 += TILE) {
        const j1 = Math.min(j0 + TILE, cols);
        for (let j = j0; j < j1; j++) {
          const d = base + j * rows;
          for (let i = i0; i < i1; i++) dst[d + i] = src[base + i * cols + j];
        }
      }
    }
  }
}

/**
 * Rows handled per block in the SIMD kernel: every destination row then receives whole cache
 * lines. Measured on [8192, 64]: 4 rows 2.1 ms, 16 rows 1.0, 64 rows 0.11 (a destination row
 * stride of a power of two thrashes L1 when written 16 bytes at a time). With very wide sources
 * the source stride is the one that thrashes: [64, 8192] is fastest at 8 (0.11 against 0.25).
 */
function rowBlock(rows: number, cols: number): number {
  const candidates = cols >= 1024 ? [8, 4] : [64, 32, 16, 8, 4];
  return candidates.find((b) => rows % b === 0)!;
}

function lastTwoFirst(inner: tf.KernelFunc): tf.KernelFunc {
  return (rawArgs) => {
    const { inputs, backend, attrs } = rawArgs as unknown as WasmKernelArgs;
    const x = inputs.x as tf.TensorInfo;
    const perm = (attrs?.perm ?? []) as number[];
    if ((x.dtype !== 'float32' && x.dtype !== 'int32') || !swapsLastTwo(perm)) return inner(rawArgs);
    const rank = x.shape.length;
    const [rows, cols] = x.shape.slice(-2);
    const wasm: BackendWasm = backend;
    const out = wasm.makeOutput(perm.map((p) => x.shape[p]), x.dtype);
    const batch = tf.util.sizeFromShape(x.shape.slice(0, rank - 2));
    const simd = rows % 4 === 0 && cols % 4 === 0 ? simdKernels(wasm) : undefined;
    if (simd) {
      const [src, dst] = [heapOffset(wasm, x), heapOffset(wasm, out)];
      const block = rowBlock(rows, cols);
      for (let b = 0; b < batch; b++) simd.transpose(src + 4 * b * rows * cols, dst + 4 * b * rows * cols, rows, cols, block);
      return out;
    }
    // Views only after makeOutput: its malloc may grow the heap and detach older views.
    const src = wasm.typedArrayFromHeap(x) as Float32Array | Int32Array;
    const dst = wasm.typedArrayFromHeap(out) as Float32Array | Int32Array;
    transposeLastTwo(src, dst, batch, rows, cols);
    return out;
  };
}

/** Wraps wasm's 'Transpose' with the blocked last-two-axes path. Idempotent. */
export function applyWasmTransposeLastTwo(): void {
  wrapWasmKernel('Transpose', LAST_TWO_TRANSPOSE, lastTwoFirst);
}
