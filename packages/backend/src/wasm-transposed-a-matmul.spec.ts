import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { applyWasmFixes } from './apply-wasm-fixes';
import { registerAllGradients } from './register-gradients';
import { inOrderFloat32Product, matMulProduct, randomFloats, relativeError, runOn, seededMatMulCase } from './spec-helpers';

/** [label, A shape [..., K, M], B shape [..., K, N]] for matMul(a, b, transposeA = true). */
const CASES: [string, number[], number[]][] = [
  ['weight gradient, K a multiple of the chunk', [128, 12], [128, 16]],
  ['K not a multiple of the chunk (130 = 2 x 64 + 2)', [130, 8], [130, 24]],
  ['M > N (the MLP\'s second weight)', [70, 32], [70, 8]],
  ['batched (attention dV = P^T dO)', [3, 20, 16], [3, 20, 8]],
  ['M not a multiple of 4 (falls back to transpose-first)', [40, 6], [40, 8]],
  ['N not a multiple of 8 (falls back)', [40, 8], [40, 12]],
];

beforeAll(() => {
  registerAllGradients();
  applyWasmFixes();
});

/** A^T B and its gradients (weights seeded from seed + 2). */
const product = (aShape: number[], bShape: number[], seed: number) => matMulProduct(seededMatMulCase(aShape, bShape, seed, true, false), seed + 2);

describe('wasm A^T B without a transposed copy', () => {
  CASES.forEach(([label, aShape, bShape], i) => {
    it(`${label} ${JSON.stringify(aShape)}^T x ${JSON.stringify(bShape)}: values and gradients match cpu, nothing leaks`, async () => {
      const ref = await runOn('cpu', () => product(aShape, bShape, 20 * i + 3));
      const got = await runOn('wasm', () => product(aShape, bShape, 20 * i + 3));
      expect(got.shape).toEqual(ref.shape);
      expect(relativeError(got.out, ref.out)).toBeLessThan(1e-5);
      expect(relativeError(got.da, ref.da)).toBeLessThan(1e-5);
      expect(relativeError(got.db, ref.db)).toBeLessThan(1e-5);
    });
  });

  it('adds the products over k in order in float32, bit for bit, across chunk boundaries', async () => {
    const [k, m, n] = [150, 8, 16];
    const a = randomFloats(k * m, 41);
    const b = randomFloats(k * n, 42);
    const want = inOrderFloat32Product(m, k, n, (i, kk) => a[kk * m + i]!, (kk, j) => b[kk * n + j]!);
    const got = await runOn('wasm', () => tf.tidy(() => tf.matMul(tf.tensor2d(a, [k, m]), tf.tensor2d(b, [k, n]), true, false).dataSync() as Float32Array));
    expect(Array.from(got)).toEqual(Array.from(want));
  });
});
