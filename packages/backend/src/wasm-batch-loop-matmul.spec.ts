import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { applyWasmFixes } from './apply-wasm-fixes';
import { registerAllGradients } from './register-gradients';
import { inOrderFloat32Product, matMulProduct, randomFloats, relativeError, runOn, seededMatMulCase } from './spec-helpers';

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

/**
 * The product and, unless the batches broadcast, its gradients (weights seeded from seed + 2):
 * broadcast batches have no gradient in tfjs-core 4.22 (it does not sum them back).
 */
function product(aShape: number[], bShape: number[], seed: number, tA = false, tB = false) {
  const broadcast = aShape[0] !== bShape[0];
  return matMulProduct(seededMatMulCase(aShape, bShape, seed, tA, tB), broadcast ? undefined : seed + 2);
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
    for (let s = 0; s < batch; s++) want.set(inOrderFloat32Product(m, k, n, (i, kk) => a[(s * m + i) * k + kk]!, (kk, j) => b[(s * k + kk) * n + j]!), s * m * n);
    const got = await runOn('wasm', () => tf.tidy(() => tf.matMul(tf.tensor3d(a, [batch, m, k]), tf.tensor3d(b, [batch, k, n])).dataSync() as Float32Array));
    expect(Array.from(got)).toEqual(Array.from(want));
  });

  // Batches of equal size that broadcast against each other: the product has batch [2, 2], four
  // entries, where wasm's kernel (and cpu's) paired up two and left the rest unwritten. The
  // reference repeats the size-1 axes explicitly (tf.tile) so cpu sees equal batch shapes.
  for (const [label, aShape, bShape] of [
    ['SIMD', [2, 1, 2, 3], [1, 2, 3, 4]],
    ['XNNPACK loop (B too large for SIMD)', [2, 1, 3, 300], [1, 2, 300, 257]],
    ['one operand of lower rank', [3, 1, 2, 5], [2, 5, 4]],
  ] as [string, number[], number[]][]) {
    it(`${label}: batch dims of equal size broadcast ${JSON.stringify(aShape)} x ${JSON.stringify(bShape)} as numpy does`, async () => {
      const inputs = () => [tf.tensor(randomFloats(tf.util.sizeFromShape(aShape), 3), aShape), tf.tensor(randomFloats(tf.util.sizeFromShape(bShape), 4), bShape)];
      const want = await runOn('cpu', () =>
        tf.tidy(() => {
          const [a, b] = inputs() as [tf.Tensor, tf.Tensor];
          const outer = tf.backend_util.assertAndGetBroadcastShape(aShape.slice(0, -2), bShape.slice(0, -2));
          const full = (t: tf.Tensor) => {
            const padded = tf.reshape(t, [...new Array<number>(outer.length + 2 - t.rank).fill(1), ...t.shape]);
            return tf.tile(padded, [...outer.map((d, i) => d / padded.shape[i]!), 1, 1]);
          };
          return tf.matMul(full(a), full(b)).dataSync() as Float32Array;
        }),
      );
      const got = await runOn('wasm', () => tf.tidy(() => tf.matMul(...(inputs() as [tf.Tensor, tf.Tensor])).dataSync() as Float32Array));
      expect(got.length).toBe(want.length);
      expect(relativeError(got, want)).toBeLessThan(1e-5);
    });
  }

  // An empty sum over k is 0; wasm's kernel returned whatever the output's memory held.
  for (const [aShape, bShape] of [
    [[3, 0], [0, 5]],
    [[2, 3, 0], [2, 0, 5]],
    [[2, 3, 0], [1, 0, 300]],
  ]) {
    it(`k = 0: ${JSON.stringify(aShape)} x ${JSON.stringify(bShape)} is all zeros`, async () => {
      const got = await runOn('wasm', () =>
        tf.tidy(() => {
          // dirty the heap first so uninitialised memory is not zeros by luck
          tf.dispose(tf.fill([aShape[0]! * 300 * 5], 7));
          return tf.matMul(tf.zeros(aShape), tf.zeros(bShape)).dataSync() as Float32Array;
        }),
      );
      expect(got.length).toBe(tf.util.sizeFromShape([...aShape.slice(0, -1), bShape[bShape.length - 1]!]));
      expect(Array.from(got).every((v) => v === 0)).toBe(true);
    });
  }

  it('transposed batched operands (every attention gradient) match cpu', async () => {
    const ref = await runOn('cpu', () => product([6, 8, 16], [6, 8, 12], 77, true, false));
    const got = await runOn('wasm', () => product([6, 8, 16], [6, 8, 12], 77, true, false));
    expect(relativeError(got.out, ref.out)).toBeLessThan(1e-5);
    expect(relativeError(got.da, ref.da)).toBeLessThan(1e-5);
    expect(relativeError(got.db, ref.db)).toBeLessThan(1e-5);
  });
});
