/**
 * The current backend's plain matMul rate, so benchmarks can say what share of the machine a
 * training step uses (step FLOPs / step time against this ceiling).
 */
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '@rewardkit/core';

export interface MeasureMatMulOptions {
  /** Timed repetitions after one untimed warm-up; 3 keeps a 1024 measurement under a second on wasm. */
  readonly reps?: number;
  /** Multiply by B^T (the layout of most gradient matmuls) instead of B. */
  readonly transposeB?: boolean;
}

/**
 * GFLOP/s of an [n, n] x [n, n] float32 matMul on the active backend (2 n^3 flops each).
 * Reading each result back is part of the timing: it is the only portable way to wait for an
 * asynchronous backend, and an n x n read is negligible next to the multiply.
 */
export async function measureMatMulGflops(n = 1024, options: MeasureMatMulOptions = {}): Promise<number> {
  const reps = options.reps ?? 3;
  const transposeB = options.transposeB ?? false;
  if (!Number.isInteger(n) || n < 1) throw new ConfigError(`measureMatMulGflops: n must be a positive integer, got ${n}`);
  if (!Number.isInteger(reps) || reps < 1) {
    throw new ConfigError(`measureMatMulGflops: reps must be a positive integer, got ${reps}`);
  }
  const a = tf.randomUniform([n, n], -1, 1, 'float32', 1);
  const b = tf.randomUniform([n, n], -1, 1, 'float32', 2);
  const once = async (): Promise<void> => {
    const c = tf.matMul(a, b, false, transposeB);
    try {
      await c.data();
    } finally {
      c.dispose();
    }
  };
  try {
    await once(); // first call pays for kernel setup and memory growth: excluded
    const start = performance.now();
    for (let i = 0; i < reps; i++) await once();
    const seconds = (performance.now() - start) / 1000;
    return (2 * n ** 3 * reps) / seconds / 1e9;
  } finally {
    a.dispose();
    b.dispose();
  }
}
