import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { applyWasmFixes } from './apply-wasm-fixes';
import { registerAllGradients } from './register-gradients';
import { randomFloats, relativeError, runOn } from './spec-helpers';

/** [label, A shape, B shape]: every batch layout the loop takes, and shapes it hands back to wasm. */
const SHAPES: [string, number[], number[]][] = [
  ['attention QK^T', [2, 3, 16, 8], [2, 3, 8, 16]],
  ['attention AV', [2, 3, 16, 16], [2, 3, 16, 8]],
  ['odd sizes', [5, 7, 13], [5, 13, 3]],
  ['shared B (one product over rows)', [4, 7, 13], [1, 13, 5]],
  ['shared A', [1, 7, 13], [3, 13, 5]],
  ['single matrices (stock path)', [1, 9, 4], [1, 4, 6]],
  ['size-1 edges', [3, 1, 9], [3, 9, 1]],
  // a small B: the SIMD kernels (wasm-simd-gemm.ts), whole 4x8 tiles and every kind of edge
  ['SIMD shared B', [4, 12, 13], [1, 13, 16]],
  ['SIMD shared A', [1, 8, 5], [3, 5, 8]],
  ['SIMD single 2-D product', [1, 20, 7], [1, 7, 24]],
  ['SIMD edges: m % 4 = 3, n % 8 = 7 (4x8, 4x4, 4x1, 1x4, 1x1 tiles)', [2, 11, 9], [2, 9, 15]],
  ['SIMD attention with T = 84', [2, 84, 8], [2, 8, 84]],
  ['B too large for SIMD (XNNPACK loop)', [2, 4, 300], [2, 300, 256]],
];

interface Result {
  readonly out: Float32Array;
  readonly da: Float32Array;
  readonly db: Float32Array;
}

function product(aShape: number[], bShape: number[], seed: number, tA = false, tB = false): Result {
  const size = (s: number[]) => s.reduce((x, y) => x * y, 1);
  return tf.tidy(() => {
    const a = tf.tensor(randomFloats(size(aShape), seed), aShape);
    const b = tf.tensor(randomFloats(size(bShape), seed + 1), bShape);
    const out = tf.matMul(a, b, tA, tB);
    const w = tf.tensor(randomFloats(out.size, seed + 2), out.shape);
    // broadcast batches have no gradient in tfjs-core 4.22 (it does not sum them back): values only
    const broadcast = aShape[0] !== bShape[0];
    if (broadcast) return { out: out.dataSync() as Float32Array, da: new Float32Array(0), db: new Float32Array(0) };
    const [da, db] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x, y, tA, tB), w)))([a, b]);
    return { out: out.dataSync() as Float32Array, da: da.dataSync() as Float32Array, db: db.dataSync() as Float32Array };
  });
}

beforeAll(() => {
  registerAllGradients();
  applyWasmFixes();
});

describe('wasm BatchMatMul batch loop', () => {
  it('is installed once, however often the fixes are applied', () => {
    const first = tf.getKernel('BatchMatMul', 'wasm')!.kernelFunc;
    applyWasmFixes();
    expect(tf.getKernel('BatchMatMul', 'wasm')!.kernelFunc).toBe(first);
    expect(Symbol.for('rewardkit.backend.wasmBatchLoopMatMul') in first).toBe(true);
  });

  SHAPES.forEach(([label, aShape, bShape], i) => {
    it(`${label} ${JSON.stringify(aShape)} x ${JSON.stringify(bShape)}: values and gradients match cpu, nothing leaks`, async () => {
      const ref = await runOn('cpu', () => product(aShape, bShape, 10 * i + 1));
      const got = await runOn('wasm', () => product(aShape, bShape, 10 * i + 1));
      expect(got.out.length).toBe(ref.out.length);
      expect(relativeError(got.out, ref.out)).toBeLessThan(1e-5);
      expect(relativeError(got.da, ref.da)).toBeLessThan(1e-5);
      expect(relativeError(got.db, ref.db)).toBeLessThan(1e-5);
    });
  });

  it('the SIMD kernel adds the products over k in order in float32, bit for bit', async () => {
    const [batch, m, k, n] = [3, 10, 37, 23];
    const a = randomFloats(batch * m * k, 5);
    const b = randomFloats(batch * k * n, 6);
    const want = new Float32Array(batch * m * n);
    for (let s = 0; s < batch; s++)
      for (let i = 0; i < m; i++)
        for (let j = 0; j < n; j++) {
          let acc = 0;
          for (let kk = 0; kk < k; kk++) acc = Math.fround(acc + Math.fround(a[(s * m + i) * k + kk] * b[(s * k + kk) * n + j]));
          want[(s * m + i) * n + j] = acc;
        }
    const got = await runOn('wasm', () => tf.tidy(() => tf.matMul(tf.tensor3d(a, [batch, m, k]), tf.tensor3d(b, [batch, k, n])).dataSync() as Float32Array));
    expect(Array.from(got)).toEqual(Array.from(want));
  });

  it('transposed batched operands (every attention gradient) match cpu', async () => {
    const ref = await runOn('cpu', () => product([6, 8, 16], [6, 8, 12], 77, true, false));
    const got = await runOn('wasm', () => product([6, 8, 16], [6, 8, 12], 77, true, false));
    expect(relativeError(got.out, ref.out)).toBeLessThan(1e-5);
    expect(relativeError(got.da, ref.da)).toBeLessThan(1e-5);
    expect(relativeError(got.db, ref.db)).toBeLessThan(1e-5);
  });
});
