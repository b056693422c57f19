/**
 * Shared by this package's specs (not exported from index.ts): seeded inputs, one error measure,
 * and a leak check that also sees backend buffers the engine does not count as tensors.
 */
import * as tf from '@tensorflow/tfjs-core';

// Silences tfjs's console warnings (the cpu backend's "install our node backend" banner buries
// jest's report); failures still throw.
tf.env().set('IS_TEST', true);

/** Seeded uniform floats in [-1, 1) (mulberry32), so a failing case reproduces. */
export function randomFloats(size: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}

/**
 * Max-norm relative error: max_i |a_i - b_i| / max(max_i |b_i|, 1e-6), with b the reference.
 * Scaling by the largest reference value (not per element) keeps near-zero entries from
 * inflating it, and still catches any single wrong element.
 */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length mismatch: ${a.length} vs ${b.length}`);
  let diff = 0;
  let scale = 1e-6;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / scale;
}

/**
 * Runs `fn` on `backend` and returns its values; throws if it left a tensor or a backend data
 * buffer behind (a kernel's intermediates are invisible to tf.memory().numTensors).
 */
export async function runOn<T>(backend: 'cpu' | 'wasm', fn: () => T): Promise<T> {
  await tf.setBackend(backend);
  const tensors = tf.memory().numTensors;
  const buffers = tf.backend().numDataIds();
  const out = fn();
  const leaked = tf.memory().numTensors - tensors;
  const leakedBuffers = tf.backend().numDataIds() - buffers;
  if (leaked !== 0 || leakedBuffers !== 0) {
    throw new Error(`${backend}: leaked ${leaked} tensors and ${leakedBuffers} data buffers`);
  }
  return out;
}

/** What `valueAndGradients` differentiates: the inputs and the function of them (built inside its tidy). */
export interface Differentiable {
  readonly xs: tf.Tensor[];
  readonly f: (...xs: tf.Tensor[]) => tf.Tensor;
}

/**
 * The forward value of `f(xs)` and the gradients of sum(f(xs) * w) for each x (w seeded, so every
 * output element's upstream gradient differs) on `backend`, read back asynchronously; throws if a
 * tensor or a backend data buffer was left behind. `forwardOnly`: the value alone.
 */
export async function valueAndGradients(backend: string, name: string, build: () => Differentiable, forwardOnly = false): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const tensors = tf.memory().numTensors;
  const buffers = tf.backend().numDataIds();
  const outs = tf.tidy(() => {
    const { xs, f } = build();
    const value = f(...xs);
    if (forwardOnly) return [value];
    const w = tf.tensor(randomFloats(value.size, 7), value.shape);
    const grads = tf.grads((...inputs: tf.Tensor[]) => tf.sum(tf.mul(f(...inputs), w)))(xs);
    return [value, ...grads];
  });
  const values = await Promise.all(outs.map(async (t) => Float32Array.from(await t.data())));
  tf.dispose(outs);
  const leaked = tf.memory().numTensors - tensors;
  const leakedBuffers = tf.backend().numDataIds() - buffers;
  if (leaked !== 0 || leakedBuffers !== 0) throw new Error(`${backend} ${name}: leaked ${leaked} tensors and ${leakedBuffers} data buffers`);
  return values;
}

/**
 * out[i, j] = sum over kk of a(i, kk) b(kk, j), each product rounded to float32 and added in
 * order in float32: what XNNPACK's wasm kernel and the SIMD matMul kernels compute, bit for bit.
 */
export function inOrderFloat32Product(m: number, k: number, n: number, a: (i: number, kk: number) => number, b: (kk: number, j: number) => number): Float32Array {
  const out = new Float32Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let kk = 0; kk < k; kk++) acc = Math.fround(acc + Math.fround(a(i, kk) * b(kk, j)));
      out[i * n + j] = acc;
    }
  return out;
}

/** The operands of one matMul, as stored (a transposed operand's last two dims swapped). */
export interface MatMulCase {
  readonly a: Float32Array;
  readonly aShape: readonly number[];
  readonly b: Float32Array;
  readonly bShape: readonly number[];
  readonly transposeA?: boolean;
  readonly transposeB?: boolean;
}

/** Seeded operands of the given (stored) shapes: A from `seed`, B from `seed + 1`. */
export function seededMatMulCase(aShape: readonly number[], bShape: readonly number[], seed: number, transposeA = false, transposeB = false): MatMulCase {
  const size = (s: readonly number[]) => s.reduce((x, y) => x * y, 1);
  return { a: randomFloats(size(aShape), seed), aShape, b: randomFloats(size(bShape), seed + 1), bShape, transposeA, transposeB };
}

export interface MatMulProduct {
  readonly shape: number[];
  readonly out: Float32Array;
  /** Gradients of sum(matMul(a, b) * w), w seeded from `gradientSeed`; empty without one. */
  readonly da: Float32Array;
  readonly db: Float32Array;
}

/**
 * matMul on the current backend, read back synchronously (call inside `runOn`, which checks for
 * leaks), with the operands' gradients when `gradientSeed` is given.
 */
export function matMulProduct(c: MatMulCase, gradientSeed?: number): MatMulProduct {
  const { transposeA = false, transposeB = false } = c;
  return tf.tidy(() => {
    const a = tf.tensor(c.a, [...c.aShape]);
    const b = tf.tensor(c.b, [...c.bShape]);
    const out = tf.matMul(a, b, transposeA, transposeB);
    const none = new Float32Array(0);
    if (gradientSeed === undefined) return { shape: out.shape, out: out.dataSync() as Float32Array, da: none, db: none };
    const w = tf.tensor(randomFloats(out.size, gradientSeed), out.shape);
    const [da, db] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x, y, transposeA, transposeB), w)))([a, b]);
    return { shape: out.shape, out: out.dataSync() as Float32Array, da: da.dataSync() as Float32Array, db: db.dataSync() as Float32Array };
  });
}
