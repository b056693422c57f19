/**
 * A^T B on wasm without a transposed copy of A: every weight gradient x^T dy of a transformer
 * step ([8192, 64]^T [8192, 64] and the MLP's [8192, 64|256]^T [8192, 256|64], K = tokens).
 *
 * Before: the transpose-first path (wasm-batch-matmul.ts) materialized A^T [M, K] and handed
 * XNNPACK a K = 8192 product, which packs its whole [K, N] B operand every call (dy is a fresh
 * tensor each time) and then streams K-long rows that do not stay in cache: 13-17 GFLOP/s in the
 * step against 34 for the forward's products (profile-step.ts, 2026-12-01). Here a SIMD kernel
 * (wasm-simd-kernels.ts, transposedAMatMul) reads A and B a row at a time in chunks of 64 rows
 * that stay in L1 while every 4x8 tile of C takes them. Measured hot, 2026-12-01:
 * [8192, 64]^T [8192, 64] 1.7 vs 2.8 ms, [8192, 256]^T [8192, 64] 7.1 vs 8.1 ms; in the step it
 * also saves the transposed copy and XNNPACK's packing.
 *
 * Each output is the float32 sum over k in order (a separate multiply and add), as XNNPACK's wasm
 * kernel computes it on the materialized A^T: the outputs matched it bit for bit.
 */
import * as tf from '@tensorflow/tfjs-core';
import { heapOffset } from './wasm-heap-views';
import type { BackendWasm } from './wasm-kernel-patch';
import { simdKernels } from './wasm-simd-kernels';

/** Rows of A and B per chunk: [64, 64] of each is 32 KB. Measured 16-128 within 10%; whole K 1.4-2x slower. */
const K_BLOCK = 64;

/**
 * C [..., M, N] = A^T B for A [..., K, M], B [..., K, N] with the same batch dims, float32,
 * M % 4 = N % 8 = 0; undefined where that does not hold (the caller keeps its own path).
 */
export function transposedAProduct(backend: BackendWasm, a: tf.TensorInfo, b: tf.TensorInfo): tf.TensorInfo | undefined {
  const rank = a.shape.length;
  if (rank < 2 || b.shape.length !== rank || a.dtype !== 'float32' || b.dtype !== 'float32') return undefined;
  const [k, m] = a.shape.slice(-2);
  const [k2, n] = b.shape.slice(-2);
  if (k !== k2 || m % 4 !== 0 || n % 8 !== 0 || m * n * k === 0) return undefined;
  if (a.shape.slice(0, -2).some((d, i) => d !== b.shape[i])) return undefined;
  const simd = simdKernels(backend);
  if (simd === undefined) return undefined;
  const out = backend.makeOutput([...a.shape.slice(0, -2), m, n], 'float32');
  (backend.typedArrayFromHeap(out) as Float32Array).fill(0); // the kernel adds into C
  const [aAt, bAt, outAt] = [heapOffset(backend, a), heapOffset(backend, b), heapOffset(backend, out)];
  const batch = tf.util.sizeFromShape(a.shape.slice(0, -2));
  for (let s = 0; s < batch; s++) simd.transposedAMatMul(aAt + 4 * s * k * m, bAt + 4 * s * k * n, outAt + 4 * s * m * n, k, m, n, K_BLOCK);
  return out;
}
