/**
 * Any [m, k] x [k, n] product (batched or not) from the SIMD tile kernels of wasm-simd-kernels.ts,
 * each of which takes only whole tiles: 4 x 8 over the bulk, then 4 x 4, 4 x 1 for the last
 * columns and 1 x 4, 1 x 1 for the last rows. Attention's T x T products have T = the batch's
 * longest sequence, any number; a T of 84 missed the 4 x 8-only kernel and ran 3-5x slower
 * through XNNPACK's loop (2026-12-01).
 */
import type { SimdKernels } from './wasm-simd-kernels';

/** Byte addresses; `aStride`, `bStride`, `cStride`: bytes between batch entries (0: shared). */
export function simdMatMul(simd: SimdKernels, a: number, b: number, c: number, m: number, k: number, n: number, batch: number, aStride: number, bStride: number, cStride: number): void {
  const [lda, ldb, ldc] = [4 * k, 4 * n, 4 * n];
  const m4 = m - (m % 4);
  const n8 = n - (n % 8);
  const n4 = n - (n % 4);
  const run = (kernel: SimdKernels['gemm4x8'], row: number, col: number, rows: number, cols: number) => {
    if (rows > 0 && cols > 0) kernel(a + row * lda, b + 4 * col, c + row * ldc + 4 * col, rows, k, cols, lda, ldb, ldc, batch, aStride, bStride, cStride);
  };
  run(simd.gemm4x8, 0, 0, m4, n8);
  run(simd.gemm4x4, 0, n8, m4, n4 - n8);
  run(simd.gemm4x1, 0, n4, m4, n - n4);
  run(simd.gemm1x4, m4, 0, m - m4, n4);
  run(simd.gemm1x1, m4, n4, m - m4, n - n4);
}
